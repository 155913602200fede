"""Rooms, who is in them, the messages they hold, and the stream of changes to them.

A room counts two things, both allocated in the transaction of the change (chat/services/
stream.py), under the room row's write lock, so that each stays contiguous:
- its messages: `Message.seq` 1, 2, 3, ... from `Room.last_seq` (protocol v1 and REST page by it);
- every durable change (a message posted, edited or deleted, a reaction, a pin, a rename, a
  member joining or leaving): the room's event stream, `seq` 1, 2, 3, ... from
  `Room.last_event_seq`. A message's post is the event at `Message.event_seq`; every other change
  is a `RoomEvent` row. Protocol v2 resumes the whole stream from one cursor.
"""

import unicodedata

from django.conf import settings
from django.db import models

from accounts.models import User

# The storage of every file field here; chat.models.files_storage is the name the migrations
# 0009 and 0010 reference it by.
from parley.storage import files_storage


def name_sort_key(name: str) -> str:
    """How people expect names sorted, the same on every engine: without case or accents
    ("alpha" < "Émile" < "Zulu"), not by code point ("Zulu" < "alpha" < "Émile")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class Room(models.Model):
    class Kind(models.TextChoices):
        CHANNEL = "channel"
        # A direct message: a private room of two to PARLEY_DM_MAX_MEMBERS people, found by
        # its member set (`dm_key`), never renamed, invited to or listed.
        DM = "dm"

    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CHANNEL)
    # A DM's members' ids, ascending, joined by ",": opening a DM with the same people again
    # finds it (chat/services/conversations.py). None for a channel.
    dm_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Whether `@room` and `@here` notify everyone in it (the owner decides).
    wide_mentions = models.BooleanField(default=True)
    name = models.CharField(max_length=80)
    # name_sort_key(name), kept by save(): lists sort by it (casefolding may lengthen a name).
    sort_name = models.CharField(max_length=255, default="", db_index=True, editable=False)
    topic = models.CharField(max_length=250, blank=True)
    private = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the room was archived (read-only, left out of listings, history kept); None: open.
    archived_at = models.DateTimeField(null=True, blank=True)
    # The seq of the newest message; the next post takes last_seq + 1.
    last_seq = models.BigIntegerField(default=0)
    # The seq of the newest change in the room's event stream (a post is one).
    last_event_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs):
        self.sort_name = name_sort_key(self.name)
        if (fields := kwargs.get("update_fields")) is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "sort_name"}
        super().save(*args, **kwargs)


class Notify(models.TextChoices):
    ALL = "all"
    MENTIONS = "mentions"
    NONE = "none"


class Membership(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # The room event seq the user has read up to (chat/services/reading.py): the messages after
    # it, by others, are their unread ones. A new member starts with everything read.
    last_read = models.BigIntegerField(default=0)
    # Which messages notify the user: all, mentions, or none; blank for the default (all in a
    # DM, mentions in a channel).
    notify = models.CharField(max_length=8, choices=Notify.choices, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Message(models.Model):
    # Every index is kept up on every post, so a foreign key gets no index of its own where a
    # composite index below starts with it (room: message_seq_once; author:
    # message_client_id_once; thread_root: message_thread; pinned_by: message_pinned_by).
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    # The message's number in the room's timeline; None for a thread reply not also sent to the
    # room, which only its thread shows (protocol v1 and REST count room messages only).
    seq = models.BigIntegerField(null=True, blank=True)
    # The room event seq of this message's post, and of its latest change (an edit, a deletion,
    # a reaction, a reply in its thread, a pin): a client holding the message at `version`
    # skips events at or below it.
    event_seq = models.BigIntegerField(default=0)
    version = models.BigIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The Markdown source, and its sanitised HTML (chat/markdown.py), rendered on every write.
    # Both are emptied when the message is deleted: the body is gone, not hidden.
    body = models.TextField()
    html = models.TextField(blank=True, default="")
    # A `/me` message: shown as an action of its author.
    is_action = models.BooleanField(default=False)
    # `@room` or `@here` in a room that allows them: a mention of every member. A mention of
    # one person is a Mention row.
    mentions_wide = models.BooleanField(default=False)
    # Made by the client; a retry with the same id returns the original message.
    client_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A thread reply names its root (a top-level message). `in_room`: shown in the room's
    # timeline too ("also send to room"); top-level messages always are.
    thread_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        db_index=False,
    )
    in_room = models.BooleanField(default=True)
    # On a thread root: its replies' count and the newest one's time.
    reply_count = models.IntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_once"),
            models.UniqueConstraint(fields=["room", "event_seq"], name="message_event_seq_once"),
            models.UniqueConstraint(fields=["author", "client_id"], name="message_client_id_once"),
        ]
        indexes = [
            # Partial: a top-level post (most of them) costs neither index anything to keep.
            models.Index(
                fields=["thread_root", "event_seq"],
                name="message_thread",
                condition=models.Q(thread_root__isnull=False),
            ),
            models.Index(
                fields=["room", "pinned_at"],
                name="message_pins",
                condition=models.Q(pinned_at__isnull=False),
            ),
            models.Index(
                fields=["pinned_by"],
                name="message_pinned_by",
                condition=models.Q(pinned_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room}#{self.seq}"


class Mention(models.Model):
    """`user`, a member of the room, is @-mentioned by the message. The room and the message's
    event seq are copied here so that counting a user's mentions past their read marker reads
    this table's index alone."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+", db_index=False)
    event_seq = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="mention_once"),
        ]
        indexes = [models.Index(fields=["user", "room", "event_seq"], name="mention_unread")]

    def __str__(self) -> str:
        return f"@{self.user} in {self.message}"


class MessageEdit(models.Model):
    """A message's earlier body, kept when it is edited (admins read the history); deleted
    with the body when the message is deleted."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    # When this body was replaced.
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.message}"


class Reaction(models.Model):
    """One emoji of one user on one message (each at most once)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # One emoji, fully qualified (chat/services/reactions.py).
    emoji = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # The event seq at which this emoji's current run on the message began: the reaction that
    # took its count from 0 to 1, copied by each one added while the count stays above 0.
    # Summaries list a message's emoji in this order, which a client replaying the stream
    # derives by itself (an emoji whose count rises from 0 goes last; one that falls to 0 goes).
    since_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message}"


class LinkPreview(models.Model):
    """The card of a link in a message (chat/tasks.py makes it, links/ fetches it): the page's
    title, description and site name as text, and its picture as a thumbnail Parley made and
    stores (`image`, through Django's storage API; never the site's address, never hot-linked).

    A preview its author removed stays as a row with `removed_at` set and its content cleared,
    so that a retry of the job does not make it again; messages show only the others."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="previews")
    url = models.TextField()  # as the message links it
    # Its link's place among the message's links (0: the first): the order cards are shown in.
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    site_name = models.CharField(max_length=100, blank=True)
    image = models.FileField(
        storage=files_storage, upload_to="previews/", max_length=200, blank=True
    )
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "url"], name="link_preview_once")]

    def __str__(self) -> str:
        return f"preview of {self.url[:80]} on {self.message_id}"


class RoomEvent(models.Model):
    """A durable change to a room other than a post, at its place (`seq`) in the room's event
    stream: what a resuming client is replayed. `type` is the v2 frame's type; `data` its
    fields (never a message body: those are read from the message, so a deleted body is gone
    from here too)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=32)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="room_event_seq_once")]

    def __str__(self) -> str:
        return f"{self.room}@{self.seq} {self.type}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Where a file is stored: a random name under its room's number, never the name its
    uploader gave (which may hold `../`, be a reserved name, or collide)."""
    import uuid

    return f"{instance.room_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file uploaded to a room: pending (`message` None) until a post of its uploader takes
    it; it then lives and dies with that message. `content_type` is what the content was
    sniffed as, never what the uploader said (chat/uploads.py); an image (`width` set) is a
    raster image Pillow read, stored without its metadata (EXIF, GPS), which the thumbnail job
    shrinks."""

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments"
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # The name shown and offered on download, cleaned (chat/uploads.py file_name_clean).
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    file = models.FileField(storage=files_storage, upload_to=attachment_path, max_length=255)
    # A raster image's size in pixels, as shown (after its EXIF orientation); None otherwise.
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    # Its thumbnail, once the job made it (chat/tasks.py).
    thumbnail = models.FileField(
        storage=files_storage, upload_to=attachment_path, max_length=255, blank=True
    )
    thumbnail_width = models.IntegerField(null=True, blank=True)
    thumbnail_height = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Pending uploads by age (the clean-up) and a user's usage (the quota).
            models.Index(
                fields=["created_at"],
                name="attachment_pending",
                condition=models.Q(message__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.width is not None


class FileUsage(User):
    """A user as the admin's "Files per user" list shows them: what their files take against
    PARLEY_FILES_QUOTA (chat/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "file usage"
        verbose_name_plural = "files per user"
