"""The one shape of a message (and of a user) that REST, WebSocket frames and events share."""

from accounts.models import User

from .models import Message


def user_payload(user: User) -> dict:
    return {"id": user.pk, "username": user.username, "display_name": user.shown_name}


def message_payload(message: Message, *, room_slug: str | None = None) -> dict:
    return {
        "room": room_slug or message.room.slug,
        "seq": message.seq,
        "id": message.pk,
        "author": user_payload(message.author),
        "body": message.body,
        "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        "client_id": str(message.client_id),
    }
