"""`python -m parley createtoken NAME`: issue a bearer token for a user, printed once."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import token_issue_for


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (it is stored hashed, shown only now)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to tell tokens apart")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_guest=False).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        _, secret = token_issue_for(user=user, name=name)
        self.stdout.write(secret)
