"""`python -m bench.parley_setup SENDERS ROOM ...`: the benchmark's users, tokens and rooms,
made through Parley's services as a user would. Prints {"tokens": [...]} as JSON: one bearer
token per sender user, bench-s0, bench-s1, ...

Run with DJANGO_SETTINGS_MODULE set to the mode's bench settings, after `parley migrate`.
"""

import json
import sys

import django


def main(argv: list[str]) -> None:
    senders, slugs = int(argv[0]), argv[1:]
    django.setup()
    from django.conf import settings

    # Setup only: passwords are never checked while the benchmark runs (senders use tokens,
    # receivers are guests), so the slow default hasher would only make setup slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    import secrets

    from accounts.services import token_issue_for, user_create
    from chat.services.rooms import room_create

    owner = user_create(username="bench-owner", password=secrets.token_urlsafe(16))
    for slug in slugs:
        room_create(owner=owner, name=slug, slug=slug, quota=False)
    tokens = []
    for i in range(senders):
        user = user_create(username=f"bench-s{i}", password=secrets.token_urlsafe(16))
        tokens.append(token_issue_for(user=user, name="bench")[1])
    json.dump({"tokens": tokens}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
