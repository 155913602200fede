"""One writer process for tests/system/test_concurrency.py: posts through the service itself
(chat.services.messages.message_post), as any server process does, starting at an agreed time
once every writer is ready, so that they all contend at once. Prints one JSON line:
[[client_id, seq, created], ...].

    python -m tests.system.writer USERNAME ROOM READY_DIR WRITERS CLIENT_ID...
"""

import json
import os
import sys
import time
import uuid
from pathlib import Path


def main() -> None:
    username, slug, ready_dir, writers, *client_ids = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from accounts.models import User
    from chat.models import Room
    from chat.services.messages import message_post

    author, room = User.objects.get(username=username), Room.objects.get(slug=slug)
    room.refresh_from_db()  # connected: ready
    ready = Path(ready_dir)
    (ready / str(os.getpid())).touch()
    while len(list(ready.iterdir())) < int(writers):
        time.sleep(0.005)
    results = []
    for client_id in client_ids:
        message, created = message_post(
            author=author,
            room=room,
            body="the same post from every process",
            client_id=uuid.UUID(client_id),
        )
        results.append([client_id, message.seq, created])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
