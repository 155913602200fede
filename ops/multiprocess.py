"""prometheus-client's multiprocess mode for `parley serve --workers N`: each worker writes its
metrics to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them up (ops/views.py)."""

import os
from pathlib import Path

from prometheus_client import multiprocess

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_directory(path: Path) -> Path:
    """Make `path` the metrics directory of a server about to start: created (0700) if need be,
    and emptied of an earlier run's files, whose counts would otherwise be added in."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def forget_dead_processes() -> None:
    """Drop the live gauges (open sockets) of workers that died: uvicorn's supervisor replaces
    a dead worker without telling prometheus-client. Their counters stay, as counters should."""
    directory = os.environ.get(VARIABLE)
    if not directory:
        return
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)
        except PermissionError:
            pass  # alive, another user's
