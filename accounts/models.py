"""Identity: users (people and guests) and their API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField(max_length=80, blank=True)
    # A guest is an anonymous visitor given an identity for the length of a visit: it can use
    # public rooms and cannot log in (PARLEY_GUESTS).
    is_guest = models.BooleanField(default=False)

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class Token(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at issue."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so a user can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
