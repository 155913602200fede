"""Reads on people and their credentials."""

from django.db.models import QuerySet

from parley.errors import NotFound
from parley.text import text_is_storable

from .models import Token, User


def user_get_shown(*, username: str) -> User:
    """A signed-up, active user as others see them (a mention links here). NotFound alike for
    a username nobody has, a guest and a deactivated account."""
    user = (
        User.objects.filter(username=username, is_active=True, is_guest=False).first()
        if text_is_storable(username)
        else None
    )
    if user is None:
        raise NotFound(f"There is no user {username!r}.")
    return user


def token_list_active(*, user: User) -> QuerySet[Token]:
    """The user's tokens that still authenticate, newest first."""
    return Token.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-pk")
