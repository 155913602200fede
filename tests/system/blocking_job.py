"""A job for the worker tests: it notes that it started, waits for a file the test makes, then
notes that it finished (idempotent: a second run only notes again)."""

import os
import time
from pathlib import Path

from jobs import job


@job(retries=3)
def wait_for_release(directory: str) -> None:
    folder = Path(directory)
    with (folder / "started").open("a") as started:
        started.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 120  # the test's bound: never a worker stuck for good
    while not (folder / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with (folder / "finished").open("a") as finished:
        finished.write(f"{os.getpid()}\n")
