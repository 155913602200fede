"""`python -m parley worker`: run background jobs until stopped (production).

Run as many as the jobs need, on any machine that reaches the database: they share the queue
(PostgreSQL's SKIP LOCKED hands each job to one). `parley serve` also runs one in a thread
unless PARLEY_JOBS_IN_SERVER=0. SIGTERM finishes the current job, then exits; a second SIGTERM
abandons it (back to the queue). A killed worker's job is run again by another worker after
PARLEY_JOBS_WORKER_TIMEOUT. See docs/deployment.md, "Background jobs".
"""

from django.core.management.base import BaseCommand

from jobs.worker import JobWorker


class Command(BaseCommand):
    help = "Run background jobs (thumbnails, link previews, email digests) until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="run the jobs that are due, then exit"
        )

    def handle(self, *args, once, **options):
        worker = JobWorker(batch=once)
        worker.handle_signals()
        worker.run()
