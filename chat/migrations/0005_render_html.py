"""Messages stored before Markdown get their HTML (chat/markdown.py), as a post now does."""

from django.db import migrations

BATCH = 500


def render_existing(apps, schema_editor):
    from chat import markdown

    Message = apps.get_model("chat", "Message")
    User = apps.get_model("accounts", "User")
    Room = apps.get_model("chat", "Room")

    def users(names):
        return set(
            User.objects.filter(username__in=names, is_active=True, is_guest=False).values_list(
                "username", flat=True
            )
        )

    def rooms(slugs):
        return set(
            Room.objects.filter(slug__in=slugs, private=False).values_list("slug", flat=True)
        )

    last = 0
    while True:
        batch = list(
            Message.objects.filter(pk__gt=last, html="", deleted_at__isnull=True)
            .order_by("pk")
            .only("pk", "body")[:BATCH]
        )
        if not batch:
            return
        for message in batch:
            message.html = markdown.render(message.body, mentions=users, rooms=rooms)
        Message.objects.bulk_update(batch, ["html"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_reply_numbers_reactions_pins"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(render_existing, migrations.RunPython.noop)]
