"""CPU time and resident memory of processes, read from /proc."""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds; 0.0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0.0
    # The command name (field 2) may hold spaces; the fields after it are space-separated.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15 of proc(5)


def rss_bytes(pid: int) -> int:
    try:
        resident = Path(f"/proc/{pid}/statm").read_text().split()[1]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0
    return int(resident) * PAGE


def pids_named(name: str) -> list[int]:
    """Processes whose command name (/proc/PID/comm) is `name`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_seconds(pid: int) -> float:
    """Time the process's threads spent runnable but waiting for a CPU (schedstat), in
    seconds: how much other work on the machine held the process back."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def cpu_pressure_us() -> int | None:
    """Total microseconds in which some runnable task waited for a CPU (PSI), machine-wide."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return int(first.rsplit("total=", 1)[1])


def core_busy_seconds(cpu: int) -> float:
    """Seconds core `cpu` has spent busy (not idle, not waiting on I/O) since boot, from
    /proc/stat: with a process's own CPU time subtracted, what everything else took of it."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            ticks = [int(v) for v in line.split()[1:]]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
            return (sum(ticks[:8]) - idle) / TICKS  # guest time is already in user
    return 0.0
