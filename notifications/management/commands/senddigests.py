"""`python -m parley senddigests`: send the email digests that are due now, once.

The job workers do the same every PARLEY_EMAIL_RUN_INTERVAL seconds (notifications/tasks.py); this command
is for a cron job, a server run with that interval at 0, or a look at what would go out.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.services import digests_send


class Command(BaseCommand):
    help = "Email each user a digest of the mentions and direct messages they left unread."

    def handle(self, *args, **options):
        if not settings.PARLEY_EMAIL_DIGESTS:
            self.stdout.write("Email digests are off: set EMAIL_HOST (docs/deployment.md).")
            return
        sent = digests_send(now=timezone.now())
        self.stdout.write(f"Sent {sent} email digest(s).")
