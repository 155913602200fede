"""`python -m parley backup FILE`: an online copy of the embedded database, checked by opening
it; on PostgreSQL it points to pg_dump."""

import sqlite3
import stat
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chat.services.messages import message_post
from ops.management.commands.backup import Command

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database")


@sqlite_only
def test_backup_copies_every_message_into_a_private_checked_file(
    transactional_db, make_user, make_room, tmp_path
):
    ada = make_user("ada")
    room = make_room(ada, "General")
    for i in range(25):
        message_post(author=ada, room=room, body=f"message {i}", client_id=uuid4())
    copy = tmp_path / "parley-backup.sqlite3"

    call_command("backup", str(copy))

    opened = sqlite3.connect(copy)
    bodies = [row[0] for row in opened.execute("SELECT body FROM chat_message ORDER BY seq")]
    assert bodies == [f"message {i}" for i in range(25)]
    assert opened.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    opened.close()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["parley-backup.sqlite3"]


@sqlite_only
def test_backup_never_overwrites_a_file(transactional_db, tmp_path):
    existing = tmp_path / "keep.sqlite3"
    existing.write_text("yesterday's backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(existing))
    assert existing.read_text() == "yesterday's backup"


def test_a_copy_that_is_not_a_sound_database_fails_the_check(tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert Command._check(damaged)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the production database")
def test_on_postgresql_backup_points_to_pg_dump(db, tmp_path):
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", str(tmp_path / "x"))
