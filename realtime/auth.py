"""Who is on a socket, and with what credential: `Authorization: Bearer <token>` for programs,
else the Django session (Channels' AuthMiddlewareStack, which runs outside this). A bearer
header that names no active token marks the scope so the consumer closes with 4401 instead of
falling back.

The socket keeps the credential it was opened with (`socket_credential`), so that revoking that
token, logging out of that session, a password change or deactivation closes it
(accounts/credentials.py)."""

from channels.db import database_sync_to_async

from accounts.credentials import Credential
from accounts.models import User
from accounts.services import token_find

CREDENTIAL = "parley.credential"  # the scope key BearerTokenMiddleware sets


class BearerTokenMiddleware:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        header = next(
            (value for name, value in scope.get("headers", []) if name == b"authorization"), None
        )
        if header is not None:
            scheme, _, secret = header.decode("latin1").partition(" ")
            token = None
            if scheme.lower() == "bearer" and secret.strip():
                token = await database_sync_to_async(token_find)(secret=secret.strip())
            user, credential = None, None
            if token is not None:
                user, credential = token.user, Credential("token", str(token.pk), token.user_id)
            scope = dict(scope, user=user, bearer_rejected=user is None, **{CREDENTIAL: credential})
        return await self.application(scope, receive, send)


def socket_credential(scope, user: User) -> Credential | None:
    """What the socket's signed-in user was authenticated with; None for a guest or anonymous
    visitor (they hold nothing that can be revoked)."""
    if CREDENTIAL in scope:
        return scope[CREDENTIAL]
    session = scope.get("session")
    if not user.is_authenticated or user.is_guest or session is None or not session.session_key:
        return None
    return Credential("session", session.session_key, user.pk)
