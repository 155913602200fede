"""Stopping `python -m parley serve` (what `make run` runs) on purpose is not an error: Ctrl-C
(SIGINT) or a service manager's SIGTERM shuts it down gracefully and it exits 0, with no
traceback, so `make run` ends without "make: *** ... Interrupt" or "Terminated"."""

import os
import signal
import socket
import subprocess
import time

import pytest

from .server import ROOT, ParleyServer

pytestmark = pytest.mark.system


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_server_exits_0_quietly(tmp_path, stop):
    server = ParleyServer(tmp_path)
    server.migrate()
    server.start()

    server.process.send_signal(stop)

    assert server.process.wait(20) == 0
    log = server.log.read_text()
    assert "Traceback" not in log, log
    assert "KeyboardInterrupt" not in log, log


def listening(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("make run did not start listening")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_make_run_ends_it_without_a_make_error(tmp_path, stop):
    server = ParleyServer(tmp_path)  # only its port and environment: make run starts the server
    # -o: take the installed .venv as it is (this test is about stopping, not installing).
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={server.port}"],
        cwd=ROOT,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        listening(server.port, make)
        # What a terminal's Ctrl-C does: the signal to the whole foreground group, make and server.
        os.killpg(make.pid, stop)
        output = make.communicate(timeout=30)[0]
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    assert "make: ***" not in output, output
    assert "Traceback" not in output, output
    # The start line: where the data is, how to sign in.
    assert f"Data:     {tmp_path}" in output, output
    assert "-m parley createuser NAME" in output, output
