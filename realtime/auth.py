"""Who is on a socket: `Authorization: Bearer <token>` for programs, else the Django session
(Channels' AuthMiddlewareStack, which runs outside this). A bearer header that names no
active token marks the scope so the consumer closes with 4401 instead of falling back."""

from channels.db import database_sync_to_async

from accounts.services import token_authenticate


class BearerTokenMiddleware:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        header = next((value for name, value in scope.get("headers", []) if name == b"authorization"), None)
        if header is not None:
            scheme, _, secret = header.decode("latin1").partition(" ")
            user = None
            if scheme.lower() == "bearer" and secret.strip():
                user = await database_sync_to_async(token_authenticate)(secret=secret.strip())
            scope = dict(scope, user=user, bearer_rejected=user is None)
        return await self.application(scope, receive, send)
