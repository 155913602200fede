"""Writes on identity: accounts, guests, profiles, passwords, tokens."""

import hashlib
import secrets
import zoneinfo
from functools import cache

from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from parley.errors import BadRequest, Conflict, NotAuthenticated, NotFound
from parley.text import emoji_one, text_check_name, text_check_storable
from throttle.services import guest_admit

from .models import Token, User

TOKEN_PREFIX = "prl_"
MAX_DISPLAY_NAME = 80
MAX_STATUS_TEXT = 100


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


def _clean_status_text(text: str) -> str:
    text = " ".join(text_check_name(text, field="status_text").split())
    if len(text) > MAX_STATUS_TEXT:
        raise BadRequest(f"status_text is longer than {MAX_STATUS_TEXT} characters.")
    return text


def _clean_status_emoji(value: str) -> str:
    if not value.strip():
        return ""
    if (emoji := emoji_one(value.strip())) is None:
        raise BadRequest("status_emoji is one emoji, such as 🌴, or empty.")
    return emoji


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (read once: it walks the tz database)."""
    return frozenset(zoneinfo.available_timezones())


def _clean_time_zone(value: str) -> str:
    value = value.strip()
    if value and value not in time_zones():
        raise BadRequest(
            f"time_zone {value!r} is not a known IANA time zone, such as Europe/Paris."
        )
    return value


def user_profile_update(
    *,
    user: User,
    display_name: str | None = None,
    status_emoji: str | None = None,
    status_text: str | None = None,
    time_zone: str | None = None,
) -> list[str]:
    """Change what is given (None: unchanged) and answer the names of the fields that changed.
    BadRequest for an empty or too long display name, a status emoji that is not exactly one
    emoji, a status text over MAX_STATUS_TEXT characters, an unknown time zone. Who else must
    hear of it is chat's business (chat.services.people.profile_update)."""
    cleaned = {}
    if display_name is not None:
        cleaned["display_name"] = _clean_display_name(display_name)
    if status_emoji is not None:
        cleaned["status_emoji"] = _clean_status_emoji(status_emoji)
    if status_text is not None:
        cleaned["status_text"] = _clean_status_text(status_text)
    if time_zone is not None:
        cleaned["time_zone"] = _clean_time_zone(time_zone)
    changed = [field for field, value in cleaned.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, cleaned[field])
    if changed:
        user.save(update_fields=changed)
    return changed


def user_rename(*, user: User, display_name: str) -> User:
    user_profile_update(user=user, display_name=display_name)
    return user


def token_hash(token: str) -> str:
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
        user=user, key_hash=token_hash(secret), prefix=secret[:12], name=name[:80]
    )
    return token, secret


def token_find(*, secret: str) -> Token | None:
    """The token (with its user) that `secret` names, while it is not revoked and its user is
    active; None otherwise."""
    token = (
        Token.objects.select_related("user")
        .filter(key_hash=token_hash(secret), revoked_at__isnull=True, user__is_active=True)
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
    token = Token.objects.filter(key_hash=token_hash(secret), revoked_at__isnull=True).first()
    if token is None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True


def token_revoke_own(*, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens by its id (the settings page, `DELETE /me/tokens/{id}`).
    NotFound for an id that is not one of their tokens in use, theirs or not alike."""
    token = Token.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(f"You have no token {token_id}.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


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


def user_password_change(
    *, request: HttpRequest, user: User, current_password: str, new_password: str
) -> User:
    """The user's own password change: `current_password` must be theirs (checked through
    `authenticate`, so the login throttle counts a wrong one and refuses during a lockout),
    the new one passes Django's validators. Ends every session of the user; the caller keeps
    its own with `accounts.sessions.session_keep` (Django's update_session_auth_hash)."""
    text_check_storable(current_password, field="current_password")
    text_check_storable(new_password, field="new_password")
    if authenticate(request, username=user.username, password=current_password) is None:
        raise BadRequest("current_password is not your password.")
    return user_password_set(user=user, password=new_password)


def user_deactivate(*, user: User) -> User:
    """The user can no longer sign in or use a token; every socket of theirs closes with 4401."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user
