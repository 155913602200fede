"""What email notifications need to remember per user: whether they want them, when the last
digest went, which messages it told them about, and which runner is sending one now."""

from django.conf import settings
from django.db import models


class EmailPreference(models.Model):
    """One user's email notifications. A user without a row gets them (when they have an
    address); the digest job makes the row the first time it considers them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="email_preference",
    )
    # The user's choice: digests of their unread mentions and DMs, or none.
    enabled = models.BooleanField(default=True)
    # When the last digest was sent: the next waits PARLEY_EMAIL_INTERVAL after it.
    last_digest_at = models.DateTimeField(null=True, blank=True)
    # A runner sending this user's digest now holds `claim` until `claimed_until`
    # (notifications/services.py); a runner that died lets it lapse, and the digest is retried.
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"email for {self.user}"


class EmailedMessage(models.Model):
    """`message` was listed in a digest sent to `user`: no later digest lists it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("chat.Message", on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="emailed_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.message} emailed to {self.user}"
