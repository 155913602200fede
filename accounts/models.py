"""Identity: users (people and guests), their profiles, API tokens and browser sessions."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from parley.storage import files_storage


class User(AbstractUser):
    display_name = models.CharField(max_length=80, blank=True)
    # A guest is an anonymous visitor given an identity for the length of a visit: it can use
    # public rooms and cannot log in (PARLEY_GUESTS).
    is_guest = models.BooleanField(default=False)
    # A status others see beside the name: one emoji and a short text, each optional.
    status_emoji = models.CharField(max_length=32, blank=True)
    status_text = models.CharField(max_length=100, blank=True)
    # An IANA name ("Europe/Paris"); empty: not said.
    time_zone = models.CharField(max_length=64, blank=True)
    # Their picture, as Parley re-encoded it (accounts/avatars.py): "avatars/<id>/<digest>.<ext>"
    # in the files storage, named by its content so that its URL can be cached for ever; ""
    # for none (their initials are shown).
    avatar = models.FileField(
        storage=files_storage, upload_to="avatars/", max_length=200, blank=True
    )

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


class UserSession(models.Model):
    """A browser session of a user, recorded at log-in, so that they can list their sessions
    and end one (Django's session table cannot be searched by user). `session_key` is the
    Django session's key, which the session table beside it holds as well; it never leaves the
    server (the API names a session by `id`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"session {self.pk} ({self.user})"
