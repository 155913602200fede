"""`python -m parley createroom OWNER NAME [--slug S] [--topic T] [--private] [--invite U ...]`."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from chat.services.rooms import room_create, room_invite
from parley.errors import ParleyError


class Command(BaseCommand):
    help = "Create a room owned by an existing user."

    def add_arguments(self, parser):
        parser.add_argument("owner", help="username of the owner")
        parser.add_argument("name")
        parser.add_argument("--slug")
        parser.add_argument("--topic", default="")
        parser.add_argument("--private", action="store_true")
        parser.add_argument("--invite", nargs="*", default=[], metavar="USERNAME")

    def handle(self, *args, owner, name, slug, topic, private, invite, **options):
        user = User.objects.filter(username=owner, is_guest=False).first()
        if user is None:
            raise CommandError(f"There is no user {owner!r}.")
        try:
            room = room_create(
                owner=user, name=name, slug=slug, topic=topic, private=private, quota=False
            )
            for username in invite:
                room_invite(room=room, by=user, username=username)
        except ParleyError as error:
            raise CommandError(error.message) from error
        kind = "private" if private else "public"
        self.stdout.write(f"Created {kind} room {room.slug!r} ({room.name})")
