"""What a connection was opened with (an API token or a browser session), whether it still
authenticates, and how a revocation names it.

A revocation is published as a name (parley/events.py, `credentials.revoked`): "token:<id>",
"session:<digest>" (a SHA-256 of the session key, so the key itself never leaves the process),
"session:*" (every session of the user) or "*" (everything the user holds).

What ends what (docs/api.md, "What ends access"):

| change | ends |
|---|---|
| a token is revoked (`DELETE /api/v1/auth/token`, the admin) | that token |
| logging out, ending a session (accounts/sessions.py) | that session |
| logging out everywhere | every session of the user but the caller's when it stays |
| a password change | every session of the user; API tokens survive |
| deactivating the user (`is_active` off) | every session and token |
"""

import hashlib
from dataclasses import dataclass
from importlib import import_module
from typing import Literal

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare

from .models import Token, User

EVERYTHING = "*"
EVERY_SESSION = "session:*"


def session_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def token_name(token_id: int) -> str:
    return f"token:{token_id}"


def session_name(session_key: str) -> str:
    return f"session:{session_digest(session_key)}"


@dataclass(frozen=True)
class Credential:
    """A signed-in user's credential. `key` is the token's id or the session key."""

    kind: Literal["token", "session"]
    key: str
    user_id: int

    @property
    def name(self) -> str:
        return token_name(int(self.key)) if self.kind == "token" else session_name(self.key)

    def revoked_by(self, revoked: str) -> bool:
        """Whether a revocation published as `revoked` ends this credential."""
        return revoked in (EVERYTHING, self.name) or (
            revoked == EVERY_SESSION and self.kind == "session"
        )


def credential_active(*, credential: Credential) -> bool:
    """Whether the credential still authenticates its user: the token is not revoked, the
    session still holds the user with their current password, and the user is active."""
    if credential.kind == "token":
        return Token.objects.filter(
            pk=int(credential.key),
            user_id=credential.user_id,
            revoked_at__isnull=True,
            user__is_active=True,
        ).exists()
    store = import_module(settings.SESSION_ENGINE).SessionStore(credential.key)
    data = store.load()  # {} for a missing or expired session
    if str(data.get(SESSION_KEY)) != str(credential.user_id):
        return False
    user = User.objects.filter(pk=credential.user_id, is_active=True).first()
    return user is not None and constant_time_compare(
        data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    )
