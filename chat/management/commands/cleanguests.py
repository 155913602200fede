"""`python -m parley cleanguests [--idle SECONDS]`: clean up idle guests (chat/services/guests.py).

The server does the same every PARLEY_GUEST_CLEANUP_INTERVAL seconds (realtime/jobs.py); this
command is for a cron job, or for a server run with the interval at 0.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chat.services.guests import guest_cleanup


class Command(BaseCommand):
    help = (
        "Delete idle guests who never posted; deactivate idle guests who did (their messages stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--idle",
            type=int,
            default=None,
            help="seconds without a post before a guest is cleaned up (default: PARLEY_GUEST_IDLE)",
        )

    def handle(self, *args, idle, **options):
        idle = settings.PARLEY_GUEST_IDLE if idle is None else idle
        if idle < 0:
            raise CommandError("--idle must be 0 or more seconds.")
        deleted, deactivated = guest_cleanup(idle=timedelta(seconds=idle))
        self.stdout.write(
            f"Deleted {deleted} idle guest(s); deactivated {deactivated} who had posted."
        )
