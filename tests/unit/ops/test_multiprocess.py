"""The metrics directory of `parley serve --workers N`: emptied before the workers start, and the
open-socket gauge of a worker that died is dropped (its counters stay)."""

import os
import subprocess
import sys

from prometheus_client.mmap_dict import MmapedDict

from ops.multiprocess import forget_dead_processes, prepare_directory


def a_dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def written(path) -> None:
    values = MmapedDict(str(path))
    values.write_value('["parley_open_sockets", "parley_open_sockets", {}, "help"]', 3.0, 0.0)
    values.close()


def test_prepare_empties_an_earlier_runs_files(tmp_path):
    written(tmp_path / "counter_123.db")
    assert list(prepare_directory(tmp_path).iterdir()) == []
    assert oct(prepare_directory(tmp_path / "new").stat().st_mode & 0o777) == "0o700"


def test_a_dead_workers_open_sockets_are_forgotten_and_its_counters_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    dead, alive = a_dead_pid(), os.getpid()
    for name in (f"gauge_livesum_{dead}.db", f"gauge_livesum_{alive}.db", f"counter_{dead}.db"):
        written(tmp_path / name)
    forget_dead_processes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"gauge_livesum_{alive}.db", f"counter_{dead}.db"]
    )
