"""Who is asking for a file: the session's user (the web client) or, for programs, the user of
`Authorization: Bearer <token>`; None for nobody (an unknown or revoked token too)."""

from django.http import HttpRequest

from accounts.models import User
from accounts.services import token_authenticate


def request_caller(request: HttpRequest) -> User | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return token_authenticate(secret=secret.strip()) if secret.strip() else None
    return request.user if request.user.is_authenticated else None
