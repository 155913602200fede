# Rooms sort by name as people expect (chat.models.name_sort_key), on every engine.

from django.db import migrations, models

from chat.models import name_sort_key


def fill_sort_names(apps, schema_editor):
    Room = apps.get_model("chat", "Room")
    rooms = list(Room.objects.only("pk", "name"))
    for room in rooms:
        room.sort_name = name_sort_key(room.name)
    Room.objects.bulk_update(rooms, ["sort_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="sort_name",
            field=models.CharField(db_index=True, default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]
