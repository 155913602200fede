"""A real Parley server process (`python -m parley serve`, what `make run` starts) for tests."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NOT_INHERITED = {
    "PARLEY_ALLOWED_ORIGINS",
    "PARLEY_ALLOWED_HOSTS",
    "SECRET_KEY",
    "PARLEY_DEBUG",
    "PARLEY_GUESTS",
    "PARLEY_OPEN_SIGNUP",
}


class ParleyServer:
    """One server process on a free port with its own environment (embedded by default)."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None):
        self.port = port or free_port()
        # The machine's environment, less what would make the server differ from its settings'
        # defaults; `env` then says what this server changes.
        inherited = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
            "PARLEY_DATA_DIR": str(data_dir),
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log = Path(data_dir) / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "parley", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"parley {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout.strip()

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v0")

    def start(self, timeout: float = 30) -> "ParleyServer":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parley", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(
            f"the server did not listen in {timeout}s: {self.log.read_text()[-2000:]}"
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def run_async(coroutine):
    """Run a coroutine to completion on a fresh event loop in a worker thread, so that a sync
    test works whatever loop the main thread holds (Playwright's sync API keeps one running)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
