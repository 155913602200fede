"""Rooms, who is in them, and the messages they hold.

A room's messages carry a contiguous sequence number (1, 2, 3, ...) allocated from
`Room.last_seq` inside the posting transaction (chat/services/messages.py).
"""

import unicodedata

from django.conf import settings
from django.db import models


def name_sort_key(name: str) -> str:
    """How people expect names sorted, the same on every engine: without case or accents
    ("alpha" < "Émile" < "Zulu"), not by code point ("Zulu" < "alpha" < "Émile")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


class Room(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=80)
    # name_sort_key(name), kept by save(): lists sort by it (casefolding may lengthen a name).
    sort_name = models.CharField(max_length=255, default="", db_index=True, editable=False)
    topic = models.CharField(max_length=250, blank=True)
    private = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The seq of the newest message; the next post takes last_seq + 1.
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs):
        self.sort_name = name_sort_key(self.name)
        if (fields := kwargs.get("update_fields")) is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "sort_name"}
        super().save(*args, **kwargs)


class Membership(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="membership_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    # Made by the client; a retry with the same id returns the original message.
    client_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_once"),
            models.UniqueConstraint(fields=["author", "client_id"], name="message_client_id_once"),
        ]

    def __str__(self) -> str:
        return f"{self.room}#{self.seq}"
