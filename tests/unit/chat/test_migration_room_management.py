"""Migration 0007_room_management: `room_updated` changes recorded before it gain the room's
`owner` and `"archived": false`, so that a client resuming across the upgrade reads every
`room_updated` alike."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("chat", "0006_fewer_message_indexes")]
AFTER = [("chat", "0007_room_management")]


def migrate(targets):
    """Migrate chat to `targets`, with accounts (whose users rooms name) at its newest."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    accounts = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "accounts"]
    executor.migrate(targets + accounts)
    return executor.loader.project_state(targets + accounts).apps


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """Leave every app migrated to its newest migration, as the other tests expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_earlier_room_updated_changes_gain_the_owner_and_archived():
    old = migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(username="ada", display_name="")
    room_model = old.get_model("chat", "Room")
    room = room_model.objects.create(slug="ops", name="Ops", owner_id=user.pk, last_event_seq=2)
    ownerless = room_model.objects.create(slug="gone", name="Gone", last_event_seq=1)
    events = old.get_model("chat", "RoomEvent")
    data = {"name": "Ops", "topic": "t", "user": {"id": user.pk}}
    events.objects.create(room=room, seq=1, type="room_updated", data=data)
    events.objects.create(room=room, seq=2, type="member", data={"change": "joined"})
    events.objects.create(room=ownerless, seq=1, type="room_updated", data=data)
    new = migrate(AFTER)
    rows = new.get_model("chat", "RoomEvent").objects
    assert rows.get(room_id=room.pk, seq=1).data == {
        **data,
        "owner": {"id": user.pk, "username": "ada", "display_name": "ada"},
        "archived": False,
    }
    assert rows.get(room_id=room.pk, seq=2).data == {"change": "joined"}
    assert rows.get(room_id=ownerless.pk).data == {**data, "owner": None, "archived": False}
