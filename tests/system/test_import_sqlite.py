"""`parley importsqlite`: an embedded Parley, made as its users make one, moves into
PostgreSQL with every id, seq, hash and time intact, and carries on there."""

import json
import os
import sqlite3
import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from .engines import manage, production_env, with_database

pytestmark = pytest.mark.system

EMBEDDED_SEED = """
import json, uuid
from accounts.services import guest_create, token_issue_for, user_create, user_rename
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite, room_join, room_leave
ann = user_create(username="ann", password="correct-horse-battery-staple", display_name="Ann A.")
ben = user_create(username="ben", password="correct-horse-battery-staple")
cat = user_create(username="cat", password="correct-horse-battery-staple")
guest = guest_create()
lobby = room_create(owner=ann, name="Lobby")
secret = room_create(owner=ann, name="Secret", private=True)
room_invite(room=secret, by=ann, username="ben")
room_join(room=lobby, user=cat)
room_leave(room=lobby, user=cat)
for i in range(30):
    author = (ann, ben, guest)[i % 3]
    message_post(author=author, room=lobby, body=f"lobby {i}", client_id=uuid.uuid4())
for i in range(7):
    message_post(author=(ann, ben)[i % 2], room=secret, body=f"secret {i}", client_id=uuid.uuid4())
user_rename(user=ben, display_name="Ben B.")
print(json.dumps({"ann": token_issue_for(user=ann, name="laptop")[1], "ben": token_issue_for(user=ben)[1]}))
"""

AFTER_IMPORT = """
import json, uuid
from accounts.services import token_authenticate, user_create
from chat.models import Room
from chat.services.messages import message_post
from chat.services.rooms import room_create
ann = token_authenticate(secret=TOKEN)
lobby = Room.objects.get(slug="lobby")
message, _ = message_post(author=ann, room=lobby, body="first in PostgreSQL", client_id=uuid.uuid4())
dan = user_create(username="dan", password="correct-horse-battery-staple")
room = room_create(owner=dan, name="New")
print(json.dumps({"user": ann.username, "seq": message.seq, "dan": dan.pk, "room": room.pk}))
"""

MESSAGES = (
    "SELECT r.slug, m.seq, m.body, m.client_id, u.username, m.created_at, m.id "
    "FROM chat_message m JOIN chat_room r ON r.id = m.room_id JOIN accounts_user u ON u.id = m.author_id "
    "ORDER BY m.id"
)
USERS = "SELECT id, username, password, display_name, is_guest, is_superuser, date_joined FROM accounts_user ORDER BY id"
ROOMS = "SELECT id, slug, name, private, owner_id, last_seq, created_at FROM chat_room ORDER BY id"
MEMBERS = "SELECT room_id, user_id FROM chat_membership ORDER BY id"
TOKENS = "SELECT id, user_id, key_hash, prefix, name FROM accounts_token ORDER BY id"


def normal(row):
    """SQLite's and PostgreSQL's spellings of one row, made comparable (booleans compare equal
    to SQLite's 0 and 1 as they are)."""
    out = []
    for value in row:
        if (
            isinstance(value, str)
            and len(value) == 32
            and all(c in "0123456789abcdef" for c in value)
        ):
            value = uuid.UUID(value)  # SQLite stores a UUIDField as 32 hex digits
        elif isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " ":
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)  # SQLite: naive UTC text
        out.append(value)
    return tuple(out)


def test_importsqlite_moves_an_embedded_parley_into_postgresql(engines, tmp_path):
    embedded = {
        "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
        "PARLEY_DATA_DIR": str(tmp_path),
    }
    manage(embedded, "migrate", "--noinput", "-v0")
    tokens = json.loads(manage(embedded, "shell", "-c", EMBEDDED_SEED).splitlines()[-1])
    sqlite_path = tmp_path / "parley.sqlite3"

    name = f"parley_import_{os.getpid()}"
    with psycopg.connect(engines.server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    database = with_database(engines.server_url, name)
    production = production_env(database, engines.redis_url)
    try:
        manage(production, "migrate", "--noinput", "-v0")
        out = manage(production, "importsqlite", str(sqlite_path))
        assert all(part in out for part in ("4 users, 2 tokens", " 2 rooms", "37 messages"))

        source = sqlite3.connect(sqlite_path)
        with psycopg.connect(database) as target:
            for query in (USERS, TOKENS, ROOMS, MEMBERS, MESSAGES):
                expected = [normal(r) for r in source.execute(query).fetchall()]
                assert [normal(r) for r in target.execute(query).fetchall()] == expected, query
            seqs = target.execute(
                "SELECT r.slug, r.last_seq, max(m.seq), count(*) FROM chat_room r JOIN chat_message m"
                " ON m.room_id = r.id GROUP BY r.slug, r.last_seq ORDER BY r.slug"
            ).fetchall()
        # The private room's slug is "secret-" and a random suffix.
        assert [(slug.split("-")[0], *rest) for slug, *rest in seqs] == [
            ("lobby", 30, 30, 30),
            ("secret", 7, 7, 7),
        ]

        # Carrying on: tokens still authenticate, the next post takes the next seq, and new
        # rows get new ids (the sequences were moved past the copied ones).
        script = AFTER_IMPORT.replace("TOKEN", repr(tokens["ann"]))
        after = json.loads(manage(production, "shell", "-c", script).splitlines()[-1])
        assert after["user"] == "ann" and after["seq"] == 31
        assert after["dan"] == 5 and after["room"] == 3

        # A second import would mix two histories: refused, and nothing changes.
        with pytest.raises(RuntimeError, match="already holds data"):
            manage(production, "importsqlite", str(sqlite_path))
    finally:
        with psycopg.connect(engines.server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_importsqlite_refuses_a_target_that_is_not_postgresql(tmp_path):
    embedded = {
        "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
        "PARLEY_DATA_DIR": str(tmp_path),
    }
    with pytest.raises(RuntimeError, match="The target must be PostgreSQL"):
        manage(embedded, "importsqlite", str(tmp_path / "parley.sqlite3"))
