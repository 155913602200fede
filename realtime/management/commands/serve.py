"""`python -m parley serve`: Parley over HTTP and WebSocket with uvicorn.

One process on the embedded settings (the in-memory channel layer cannot span processes); on
the production settings (PostgreSQL + Redis) one process per core, all on one port. `--workers N`
or PARLEY_WORKERS=N chooses. Why uvicorn: README.md, "Dependencies".

Background jobs run in a worker thread of this process (PARLEY_JOBS_IN_SERVER, on by default),
and in `--job-workers N` (PARLEY_JOB_WORKERS) `parley worker` processes it starts beside it.
"""

import os
import signal
import tempfile
from pathlib import Path

import uvicorn
from channels.layers import InMemoryChannelLayer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from ops import multiprocess
from ops.http import HeadTimeoutProtocol
from realtime.jobs import JobWorkerProcesses, start_job_worker, start_jobs
from realtime.startup import start_message


class Command(BaseCommand):
    help = "Serve Parley (HTTP + WebSocket) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="server processes sharing the port (default: PARLEY_WORKERS, else one per core "
            "when the channel layer spans processes, else 1)",
        )
        parser.add_argument(
            "--job-workers",
            type=int,
            default=None,
            help="`parley worker` processes to run beside the server for background jobs "
            "(default: PARLEY_JOB_WORKERS, else 0: the server's own worker thread runs them)",
        )

    def handle(self, *args, host, port, workers, job_workers, **options):
        layer = import_string(settings.CHANNEL_LAYERS["default"]["BACKEND"])
        in_memory = issubclass(layer, InMemoryChannelLayer)
        if workers is None:
            workers = self.default_workers(in_memory)
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if workers > 1 and in_memory:
            raise CommandError(
                "--workers > 1 needs a channel layer shared between processes: "
                "use DJANGO_SETTINGS_MODULE=config.settings.production with REDIS_URL."
            )
        if job_workers is None:
            job_workers = _count_from_env("PARLEY_JOB_WORKERS", 0)
        if job_workers < 0:
            raise CommandError("--job-workers must be 0 or more.")
        if workers > 1:
            self.metrics_directory()
        shown = f"[{host}]" if ":" in host else host
        start_jobs()
        job_worker = start_job_worker()
        job_processes = JobWorkerProcesses(job_workers).start() if job_workers else None
        self.stdout.write(start_message(url=f"http://{shown}:{port}/", workers=workers))
        # uvicorn shuts down gracefully on both, then raises the signal again into these.
        signal.signal(signal.SIGINT, _stopped)
        signal.signal(signal.SIGTERM, _stopped)
        try:
            self.serve(host, port, workers)
        finally:
            if job_worker is not None:
                # The job running (if any) gets a few seconds, then goes back to the queue.
                job_worker.stop()
            if job_processes is not None:
                job_processes.stop()

    @staticmethod
    def serve(host: str, port: int, workers: int) -> None:
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            # A request head must be complete within PARLEY_HEADER_TIMEOUT (ops/http.py).
            http=HeadTimeoutProtocol,
            server_header=False,
            # Django's LOGGING (PARLEY_LOG_FORMAT, PARLEY_LOG_LEVEL) formats uvicorn's lines too.
            log_config=None,
            ws="websockets-sansio",
            # The protocol's frame limit, enforced before a frame reaches Parley (1009).
            ws_max_size=settings.PARLEY_MAX_FRAME_BYTES,
            # permessage-deflate costs ~300 KB per socket for chat-sized frames.
            ws_per_message_deflate=False,
            proxy_headers=True,
            access_log=os.environ.get("PARLEY_ACCESS_LOG", "0") == "1",
            timeout_graceful_shutdown=5,
        )

    @staticmethod
    def metrics_directory() -> None:
        """Workers write their metrics to files here (prometheus-client's multiprocess mode);
        set before they start, emptied of an earlier run's counts. PROMETHEUS_MULTIPROC_DIR
        chooses it, else a new temporary directory."""
        given = os.environ.get(multiprocess.VARIABLE, "").strip()
        path = Path(given) if given else Path(tempfile.mkdtemp(prefix="parley-metrics-"))
        os.environ[multiprocess.VARIABLE] = str(multiprocess.prepare_directory(path))

    @staticmethod
    def default_workers(in_memory: bool) -> int:
        return _count_from_env("PARLEY_WORKERS", 1 if in_memory else len(os.sched_getaffinity(0)))


def _count_from_env(name: str, default: int) -> int:
    if value := os.environ.get(name, "").strip():
        if not value.isdigit():
            raise CommandError(f"{name} must be a number of processes (got {value!r}).")
        return int(value)
    return default


def _stopped(signum, frame):
    """Ctrl-C or a service manager's SIGTERM stops the server on purpose: exit 0, no traceback
    (so `make run` ends without a "make: *** ... Terminated" line)."""
    raise SystemExit(0)
