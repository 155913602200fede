"""`python -m parley createuser NAME [--password P] [--display-name D] [--email E] [--admin]`."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_create
from parley.errors import ParleyError


class Command(BaseCommand):
    help = "Create a Parley user (prompts for the password unless --password is given)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="the password; prompted for when absent")
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--email", default="", help="where email notifications (digests) go; none without"
        )
        parser.add_argument(
            "--admin", action="store_true", help="may use the Django admin at /admin/"
        )

    def handle(self, *args, username, password, display_name, email, admin, **options):
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = user_create(
                username=username, password=password, display_name=display_name, email=email
            )
        except ParleyError as error:
            raise CommandError(error.message) from error
        if admin:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(f"Created user {user.username}" + (" (admin)" if admin else ""))
