"""`parley serve` in the embedded mode sends the email digests through its own job worker
thread, with no other command: the digest job is enqueued on schedule and run."""

import tempfile
import time
from pathlib import Path

import pytest

from .server import ParleyServer

pytestmark = pytest.mark.system

SETUP = """
import uuid
from accounts.services import user_create
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite
ada = user_create(username="ada", password="a long passphrase")
bob = user_create(username="bob", password="a long passphrase")
bob.email = "bob@example.com"
bob.save(update_fields=["email"])
room = room_create(owner=ada, name="Deploys", slug="deploys")
room_invite(room=room, by=ada, username="bob")
message_post(author=ada, room=room, body="@bob the deploy is done", client_id=uuid.uuid4())
"""
STATE = (
    "from django_tasks_db.models import DBTaskResult; "
    "print(sorted(set(DBTaskResult.objects.values_list('task_path', 'status'))))"
)


def test_the_embedded_server_sends_digests_as_a_job():
    with tempfile.TemporaryDirectory(prefix="parley-digest-") as data_dir:
        server = ParleyServer(
            Path(data_dir),
            env={
                "PARLEY_EMAIL_DELAY": "0",
                "PARLEY_EMAIL_RUN_INTERVAL": "1",
                "PARLEY_JOBS_WORKER_TIMEOUT": "3",  # housekeeping (the schedule) every second
            },
        )
        server.migrate()
        server.manage("shell", "-c", SETUP)
        server.start()
        try:
            # A bounded wait: the console backend prints the email in the server's log.
            deadline = time.monotonic() + 60
            while "To: bob@example.com" not in server.log.read_text():
                assert time.monotonic() < deadline, server.log.read_text()[-3000:]
                time.sleep(0.2)
        finally:
            server.stop()
        assert "the deploy is done" in server.log.read_text()
        state = server.manage("shell", "-c", STATE).splitlines()[-1]
        assert "('notifications.tasks.digests_send_due', 'SUCCESSFUL')" in state
        assert "FAILED" not in state
