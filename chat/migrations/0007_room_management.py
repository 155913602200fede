"""Rooms can be archived (`Room.archived_at`); a `room_updated` change now carries the room's
`owner` and `archived` too. Changes recorded before this gain both: ownership could not be
handed over before, so the room's owner now was its owner then, and no room was archived."""

from django.db import migrations, models


def _backfill_room_updated(apps, schema_editor):
    RoomEvent = apps.get_model("chat", "RoomEvent")
    rows = RoomEvent.objects.filter(type="room_updated").select_related("room__owner")
    for row in rows.iterator():
        owner = row.room.owner
        row.data.setdefault(
            "owner",
            None
            if owner is None
            else {
                "id": owner.pk,
                "username": owner.username,
                "display_name": owner.display_name or owner.username,
            },
        )
        row.data.setdefault("archived", False)
        row.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0006_fewer_message_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="archived_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(_backfill_room_updated, migrations.RunPython.noop),
    ]
