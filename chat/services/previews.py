"""Link previews on messages: a post (or an edit) that links out enqueues `previews_make`
(chat/tasks.py), which unfurls the first PARLEY_PREVIEWS_MAX links (links/: fetched safely),
stores their cards and records `message_updated` so that every client's copy follows, live or on
resume. Its author (or whoever may delete the message) removes a preview they do not want.

Rows are the job's memory: a link with a row (shown or removed) is not fetched again, so a
retried job does not duplicate a card nor bring back a removed one."""

import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from links import Card, unfurl
from parley.errors import Forbidden, NotFound
from parley.storage import files_storage

from .. import markdown
from ..models import LinkPreview, Message, Room
from ..selectors import ID_MAX, message_get, room_check_open
from ..tasks import previews_make

logger = logging.getLogger(__name__)


def previews_enqueue(message: Message) -> None:
    """Enqueue the preview job for `message` inside the caller's transaction (a post or an edit
    whose HTML links out: the caller knows that from its compose step, without a query)."""
    if settings.PARLEY_PREVIEWS:
        previews_make.enqueue(message.pk)


def _own_host() -> str:
    return (urlsplit(getattr(settings, "PARLEY_SITE_URL", "")).hostname or "").lower()


def preview_urls(html: str) -> list[str]:
    """The links of a message's HTML that get previews: the first PARLEY_PREVIEWS_MAX http(s)
    links, in order, except those to Parley itself (its pages need a login, and a card for a
    room would only repeat the room's name; a worker fetching its own server is wasted work)."""
    own = _own_host()
    urls = [url for url in markdown.links_in(html) if (urlsplit(url).hostname or "") != own]
    return urls[: settings.PARLEY_PREVIEWS_MAX]


def _image_store(message_id: int, card: Card | None) -> str:
    """Store a card's thumbnail; its name in the storage, "" for none."""
    if card is None or card.image is None:
        return ""
    name = f"previews/{message_id}/{uuid.uuid4().hex}.jpg"
    return files_storage().save(name, ContentFile(card.image.data))


def _images_delete(names: list[str]) -> None:
    for name in names:
        if name:
            try:
                files_storage().delete(name)
            except OSError:
                logger.warning("could not delete preview image %s", name, exc_info=True)


def images_delete_on_commit(names: list[str]) -> None:
    """Delete these stored images once the surrounding transaction commits (never before: a
    rollback would leave rows naming files that are gone)."""
    if names := [name for name in names if name]:
        transaction.on_commit(lambda: _images_delete(names))


def previews_refresh(*, message_id: int) -> None:
    """Make the message's previews match its links (the job's work; call it outside any
    transaction): unfurl each link that has no row yet, with no transaction open; then, under the room's lock, store the cards of links
    the message still has (it may have been edited or deleted meanwhile), drop the previews of
    links it no longer has, put each in its link's place, and record `message_updated` when
    anything changed."""
    message = Message.objects.filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        return
    known = set(LinkPreview.objects.filter(message=message).values_list("url", flat=True))
    wanted = preview_urls(message.html)
    cards = {url: unfurl(url) for url in wanted if url not in known}
    images = {url: _image_store(message_id, card) for url, card in cards.items()}
    stored = set(images.values())
    kept: set[str] = set()  # the images of rows committed
    try:
        with transaction.atomic():
            room = Room.objects.select_for_update().get(pk=message.room_id)
            # As it is now, under the room's lock: every change to a message takes it first.
            current = Message.objects.select_related("author").get(pk=message_id)
            if current.deleted_at is not None:
                return
            now = preview_urls(current.html)
            rows = {row.url: row for row in LinkPreview.objects.filter(message=current)}
            stale = [row for url, row in rows.items() if url not in now]
            # An edit may move a link: its card moves with it.
            moved = [
                row for url, row in rows.items() if url in now and row.position != now.index(url)
            ]
            for row in moved:
                row.position = now.index(row.url)
            LinkPreview.objects.bulk_update(moved, ["position"])
            new = [
                _preview(current, position=now.index(url), card=card, image=images[url])
                for url, card in cards.items()
                if card is not None and url in now and url not in rows
            ]
            if stale:  # their images go once this commits (chat/signals.py)
                LinkPreview.objects.filter(pk__in=[row.pk for row in stale]).delete()
            LinkPreview.objects.bulk_create(new)
            if stale or new or moved:
                from .messages import message_updated

                current.room = room
                message_updated(room=room, message=current)
        kept = {row.image.name for row in new}
    finally:
        _images_delete(sorted(stored - kept))  # cards not kept, or a failed transaction's


def _preview(message: Message, *, position: int, card: Card, image: str) -> LinkPreview:
    return LinkPreview(
        message=message,
        url=card.url,
        position=position,
        title=card.title,
        description=card.description,
        site_name=card.site_name,
        image=image,
        image_width=card.image.width if image and card.image else None,
        image_height=card.image.height if image and card.image else None,
    )


def preview_remove(*, by: User, room: Room, message_id: int, preview_id: int) -> Message:
    """Remove a preview from a message: by its author, or by whoever may delete the message (the
    room's owner, an administrator: taking an unwanted card off is less than deleting the
    message, which they may). The card's content and image go; the row stays, so the job never
    makes it again. Records `message_updated`. NotFound for a preview that is missing, already
    removed, or on a message or in a room `by` may not see; Forbidden for anyone else; an
    archived room is read-only."""
    from .messages import message_may_delete, message_updated

    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        room_check_open(room)
        message = message_get(room=room, message_id=message_id, user=by)
        preview = (
            LinkPreview.objects.filter(
                pk=preview_id, message=message, removed_at__isnull=True
            ).first()
            if 0 < preview_id <= ID_MAX
            else None
        )
        if preview is None:
            raise NotFound(f"There is no preview {preview_id} on message {message_id}.")
        if not message_may_delete(message=message, room=room, by=by):
            raise Forbidden("Only its author, the room's owner or an administrator removes it.")
        image = preview.image.name
        LinkPreview.objects.filter(pk=preview.pk).update(
            removed_at=timezone.now(),
            title="",
            description="",
            site_name="",
            image="",
            image_width=None,
            image_height=None,
        )
        images_delete_on_commit([image])
        message_updated(room=room, message=message)
    return message


def previews_drop(message: Message) -> None:
    """Delete the previews of a message being deleted (their images go once that commits:
    chat/signals.py)."""
    LinkPreview.objects.filter(message=message).delete()
