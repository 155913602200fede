"""Writes on identity: accounts, guests, tokens."""

import hashlib
import secrets

from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from parley.errors import BadRequest, Conflict, NotAuthenticated
from parley.text import text_check_name, text_check_storable
from throttle.services import guest_admit

from .models import Token, User

TOKEN_PREFIX = "prl_"
MAX_DISPLAY_NAME = 80


def _clean_display_name(display_name: str) -> str:
    name = " ".join(text_check_name(display_name, field="display_name").split())
    if not name:
        raise BadRequest("display_name must not be empty.")
    if len(name) > MAX_DISPLAY_NAME:
        raise BadRequest(f"display_name is longer than {MAX_DISPLAY_NAME} characters.")
    return name


def user_create(*, username: str, password: str, display_name: str = "", email: str = "") -> User:
    """A new account. Raises BadRequest for an invalid name, address or weak password, Conflict
    when the username is taken. The email address (optional) is where email notifications go."""
    text_check_storable(username, field="username")
    text_check_storable(password, field="password")
    text_check_storable(email, field="email")
    user = User(
        username=username,
        display_name=_clean_display_name(display_name) if display_name else "",
        email=email.strip(),
    )
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
        validate_password(password, user)
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error
    user.set_password(password)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username {username!r} is taken.")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise Conflict(f"The username {username!r} is taken.") from error
    return user


def guest_create() -> User:
    """An anonymous visitor's identity: shown as "Anonymous", unable to log in."""
    user = User(username=f"guest-{secrets.token_hex(5)}", display_name="Anonymous", is_guest=True)
    user.set_unusable_password()
    user.save()
    return user


GUEST_SESSION_KEY = "parley_guest_id"


def session_guest(session) -> User | None:
    """The guest identity a visitor's session already holds, if any."""
    if session is not None and (guest_id := session.get(GUEST_SESSION_KEY)):
        return User.objects.filter(pk=guest_id, is_guest=True, is_active=True).first()
    return None


def guest_for_session(session, *, address: str | None = None) -> User:
    """The guest identity of an anonymous visitor who writes: the one their session already
    holds, or a new one, remembered in the session when there is one (a Django SessionBase,
    or None). New guests are limited per client `address` (RateLimited)."""
    if session is not None and (guest_id := session.get(GUEST_SESSION_KEY)):
        guest = User.objects.filter(pk=guest_id, is_guest=True, is_active=True).first()
        if guest is not None:
            return guest
    guest_admit(address=address)
    guest = guest_create()
    if session is not None:
        session[GUEST_SESSION_KEY] = guest.pk
        session.save()
    return guest


def user_rename(*, user: User, display_name: str) -> User:
    user.display_name = _clean_display_name(display_name)
    user.save(update_fields=["display_name"])
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(
    *, request: HttpRequest, username: str, password: str, name: str = ""
) -> tuple[Token, str]:
    """Checks the password and issues a token; returns the row and the token itself, which is
    not stored and cannot be shown again. `request` is the caller's, for the login throttle
    (django-axes counts failures per username and per address, and refuses during a lockout)."""
    text_check_storable(username, field="username")
    text_check_storable(password, field="password")
    user = authenticate(request, username=username, password=password)
    if user is None or user.is_guest:
        raise NotAuthenticated("Wrong username or password.")
    # A password checked for a token is a log-in: the throttle forgets earlier failures, and
    # last_login is set, as for the login form.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token_issue_for(user=user, name=name)


def token_issue_for(*, user: User, name: str = "") -> tuple[Token, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = Token.objects.create(
        user=user, key_hash=_hash(secret), prefix=secret[:12], name=name[:80]
    )
    return token, secret


def token_find(*, secret: str) -> Token | None:
    """The token (with its user) that `secret` names, while it is not revoked and its user is
    active; None otherwise."""
    token = (
        Token.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute, so authenticating stays a read.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_authenticate(*, secret: str) -> User | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    token = token_find(secret=secret)
    return token.user if token is not None else None


def token_revoke(*, secret: str) -> bool:
    """Revoke the token `secret` names; False when it is unknown or already revoked. Sockets
    opened with it close with 4401 once this commits (accounts/signals.py)."""
    token = Token.objects.filter(key_hash=_hash(secret), revoked_at__isnull=True).first()
    if token is None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True


def user_password_set(*, user: User, password: str) -> User:
    """A new password, checked by Django's validators. Ends every session of the user (their
    sockets close with 4401); API tokens survive (accounts/credentials.py)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_deactivate(*, user: User) -> User:
    """The user can no longer sign in or use a token; every socket of theirs closes with 4401."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user
