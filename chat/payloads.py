"""The one shape of a message (and of a user) that REST, WebSocket frames and events share."""

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from accounts.models import User
from accounts.payloads import moment_payload as _time

# The user's shape is the identity layer's; messages carry it (re-exported).
from accounts.payloads import user_payload as user_payload

from .models import Attachment, LinkPreview, Membership, Message, Notify, Room


def message_payload(
    message: Message,
    *,
    room_slug: str | None = None,
    reactions: list[dict[str, Any]] | None = None,
    repliers: list[dict[str, Any]] | None = None,
    previews: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> dict:
    """The message as it is now. A deleted one is a tombstone: `deleted` true, its body and
    HTML empty. `reactions` (chat.selectors.reaction_summaries), a thread root's `repliers`,
    its link `previews` (chat.selectors.preview_payloads) and its files' `attachments`
    (attachment_payload) are read in bulk by the caller; a message just posted has no
    reactions, repliers or previews."""
    return {
        "room": room_slug or message.room.slug,
        "seq": message.seq,
        "event_seq": message.event_seq,
        "id": message.pk,
        "author": user_payload(message.author),
        "body": message.body,
        "html": message.html,
        "is_action": message.is_action,
        "mentions_wide": message.mentions_wide,
        "created_at": _time(message.created_at),
        "client_id": str(message.client_id),
        "edited_at": _time(message.edited_at),
        "deleted": message.deleted_at is not None,
        "thread_root": message.thread_root_id,
        "in_room": message.in_room,
        "reply_count": message.reply_count,
        "last_reply_at": _time(message.last_reply_at),
        "repliers": repliers or [],
        "pinned": message.pinned_at is not None,
        "reactions": reactions or [],
        "previews": previews or [],
        "attachments": attachments or [],
        "version": message.version,
    }


def preview_payload(preview: LinkPreview, *, room_slug: str) -> dict:
    """A link preview as clients show it: its card's text, and its thumbnail (served by Parley
    to those who may read the message, never the site's own image address) or None."""
    image = None
    if preview.image:
        image = {
            "url": f"/api/v1/rooms/{room_slug}/messages/{preview.message_id}"
            f"/previews/{preview.pk}/image",
            "width": preview.image_width,
            "height": preview.image_height,
        }
    return {
        "id": preview.pk,
        "url": preview.url,
        "title": preview.title,
        "description": preview.description,
        "site_name": preview.site_name,
        "image": image,
    }


def attachment_url(attachment: Attachment) -> str:
    """Where a file is downloaded (web/views/files.py): by id, with its name for the reader."""
    return f"/files/{attachment.pk}/{quote(attachment.name, safe='')}"


def attachment_payload(attachment: Attachment) -> dict:
    """A message's file: its cleaned name, size in bytes, sniffed type and download URL, and
    for a raster image (shown inline) its size in pixels and its thumbnail once made."""
    image = None
    if attachment.width is not None:
        thumbnail = None
        if attachment.thumbnail:
            thumbnail = {
                "url": f"/files/{attachment.pk}/thumbnail/",
                "width": attachment.thumbnail_width,
                "height": attachment.thumbnail_height,
            }
        image = {"width": attachment.width, "height": attachment.height, "thumbnail": thumbnail}
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": attachment_url(attachment),
        "image": image,
    }


def thread_summary(root: Message, *, repliers: list[dict[str, Any]] | None = None) -> dict:
    """What a thread reply changes on its root, sent with the reply (`MessagePosted.root`)."""
    return {
        "id": root.pk,
        "reply_count": root.reply_count,
        "last_reply_at": _time(root.last_reply_at),
        "repliers": repliers or [],
        "version": root.version,
    }


def pin_payload(message: Message, *, payload: dict) -> dict:
    """A pinned message (`payload`, its message_payload) with who pinned it and when."""
    return {
        "message": payload,
        "pinned_at": _time(message.pinned_at),
        "pinned_by": user_payload(message.pinned_by) if message.pinned_by else None,
    }


def conversation_payload(
    membership: Membership,
    *,
    unread: int = 0,
    mentions: int = 0,
    members: list[User] | None = None,
) -> dict:
    """A conversation as its member's sidebar shows it: the room, where they have read up to
    (`last_read`, a room event seq; `seq` is the room's newest), how many messages by others
    they have not read and how many of those mention them, and how it notifies them. A DM
    lists its `members` and is named by the others in it, as the member sees them."""
    room = membership.room
    payload = {
        "id": room.pk,
        "room": room.slug,
        "kind": room.kind,
        "name": room.name,
        "topic": room.topic,
        "private": room.private,
        "archived": room.archived_at is not None,
        "seq": room.last_event_seq,
        "last_read": membership.last_read,
        "unread": unread,
        "mentions": mentions,
        "notify": membership.notify or conversation_notify_default(room),
        "wide_mentions": room.wide_mentions,
        # A DM of two: whom it is with (a sidebar shows their name and presence).
        "with": None,
    }
    if room.kind == Room.Kind.DM:
        people = sorted(members or [], key=lambda user: user.shown_name.casefold())
        payload["members"] = [user_payload(user) for user in people]
        others = [user for user in people if user.pk != membership.user_id]
        payload["name"] = (
            dm_name(people, viewer_id=membership.user_id) or membership.user.shown_name
        )
        payload["with"] = others[0].pk if len(others) == 1 else None
    return payload


def dm_name(members: Iterable[User], *, viewer_id: int) -> str:
    """A DM's name as its member `viewer_id` sees it (its stored name is every username): the
    other members' shown names, sorted case-insensitively, joined by ", "; their own name in a
    DM with only themself ("" when `members` lacks them too). The sidebar, the DM's page and
    conversations.js (which recomputes it when someone is renamed) say the same."""
    people = sorted(members, key=lambda user: user.shown_name.casefold())
    others = [user.shown_name for user in people if user.pk != viewer_id]
    mine = [user.shown_name for user in people if user.pk == viewer_id]
    return ", ".join(others) or ", ".join(mine)


def conversation_notify_default(room: Room) -> str:
    """How a conversation notifies when its member chose nothing: every message of a DM, the
    mentions in a channel (Slack's defaults)."""
    return (Notify.ALL if room.kind == Room.Kind.DM else Notify.MENTIONS).value
