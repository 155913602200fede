"""`--profile`: where a server's CPU goes during the measured steps, sampled with py-spy
(a dev dependency) from outside the process, on the load core.

    python -m bench.profile FILE.txt      # summarize a collapsed-stack profile

The samples are written as collapsed stacks (`frame;frame;... count`, flamegraph.pl's input);
the summary gives the share of samples by function where the time is spent (self) and by
function anywhere on the stack (inclusive).
"""

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

RATE = 200  # samples a second


def py_spy() -> str:
    path = Path(sys.executable).parent / "py-spy"
    found = str(path) if path.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install -r requirements.lock (dev)")
    return found


class Profiler:
    def __init__(self, pid: int, output: Path, cpu: int | None):
        self.output = output
        # --nonblocking: never pause the server to read its stacks (a few torn samples instead).
        cmd = [
            py_spy(),
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(RATE),
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu), *cmd]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> dict:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self.output.exists():
            return {"error": (self.proc.stderr.read() or b"").decode(errors="replace")[-500:]}
        return {"path": str(self.output), **summarize(self.output)}


FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def _name(frame: str) -> str:
    """`func (path/to/module.py:12)` -> `module.py:func`, with site-packages trimmed."""
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"].split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{path}:{match['func']}"


def summarize(path: Path, top: int = 25) -> dict:
    # py-spy leaves out threads that wait (idle), so every sample is CPU being spent.
    self_time, inclusive, total = Counter(), Counter(), 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [
            _name(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))
        ]
        if not frames:
            continue
        total += n
        self_time[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n

    def shares(counter: Counter) -> list:
        return (
            [[name, round(n / total, 4)] for name, n in counter.most_common(top)] if total else []
        )

    return {"samples": total, "self": shares(self_time), "inclusive": shares(inclusive)}


def main(argv: list[str]) -> None:
    for arg in argv:
        result = summarize(Path(arg))
        print(f"{arg}: {result['samples']} samples")
        for kind in ("self", "inclusive"):
            print(f"  by {kind}:")
            for name, share in result[kind]:
                print(f"    {share * 100:6.1f} %  {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
