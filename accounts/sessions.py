"""Browser sessions a user can see and end (UserSession rows beside Django's session store).

A row is written when a session logs in (accounts/signals.py), followed when Django renews the
session's key (a password change keeps the caller signed in under a new key), touched at most
every SEEN_EVERY seconds by the requests it makes (accounts/middleware.py, which also records a
session that was signed in before this table existed, on its first request), and deleted when
the session logs out or is ended here.

Ending a session deletes it from the store (its cookie no longer signs anyone in) and publishes
its revocation, so that every socket it opened closes with 4401 (accounts/credentials.py).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from parley import events
from parley.errors import NotFound

from .credentials import EVERY_SESSION, Credential, credential_active, session_name
from .models import User, UserSession

# How often a request of a session writes its `last_seen_at` (seconds).
SEEN_EVERY = 300
# Where a session remembers when it last wrote it (a timestamp).
SEEN_KEY = "_parley_session_seen"
MAX_USER_AGENT = 300


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def session_record(*, request: HttpRequest, user: User) -> UserSession | None:
    """Record (or refresh) the request's session as `user`'s; None when the request has no
    session signed in as them (a token call, a guest)."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key or user.is_guest:
        return None
    now = timezone.now()
    record, _ = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "last_seen_at": now,
            "user_agent": request.headers.get("User-Agent", "")[:MAX_USER_AGENT],
            "address": _address(request),
        },
    )
    session[SEEN_KEY] = now.timestamp()
    return record


def session_seen(*, request: HttpRequest) -> None:
    """Called for every request of a signed-in session: records it when it is not yet, and its
    last sighting, at most every SEEN_EVERY seconds (a session write then, not on every call)."""
    seen = request.session.get(SEEN_KEY)
    if seen is None or timezone.now().timestamp() - seen > SEEN_EVERY:
        session_record(request=request, user=request.user)  # type: ignore[arg-type]


def session_keep(*, request: HttpRequest, user: User) -> None:
    """After the caller changed its own password: keep its session signed in (Django's
    update_session_auth_hash, which gives the session a new key) and its row following it."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    if old_key:
        UserSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )


def session_forget(*, session_key: str) -> None:
    """The session logged out: its row goes (Django's logout already ended the session)."""
    UserSession.objects.filter(session_key=session_key).delete()


def session_list(*, user: User) -> list[UserSession]:
    """The user's sessions that still sign them in, most recently seen first. Rows of sessions
    that ended otherwise (expired, or a password change) are deleted on the way."""
    records = list(UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk"))
    ended = [
        record.pk
        for record in records
        if not credential_active(credential=Credential("session", record.session_key, user.pk))
    ]
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    return [record for record in records if record.pk not in ended]


def _end(record: UserSession) -> None:
    _store(record.session_key).delete()
    record.delete()
    events.publish_on_commit(
        events.CredentialsRevoked(
            user_id=record.user_id, credential=session_name(record.session_key)
        )
    )


def session_revoke(*, user: User, session_id: int) -> None:
    """End one of the user's sessions. NotFound for an id that is not one of theirs."""
    record = UserSession.objects.filter(pk=session_id, user=user).first()
    if record is None:
        raise NotFound(f"You have no session {session_id}.")
    with transaction.atomic():
        _end(record)


def session_revoke_all(*, user: User, keep: str | None = None) -> int:
    """Log out everywhere: end every session of the user but the one whose key is `keep` (the
    caller's, when it asks to stay); answer how many ended. Every socket opened with an ended
    session closes with 4401; API tokens are not sessions and stay (revoke them one by one)."""
    with transaction.atomic():
        records = list(UserSession.objects.filter(user=user).exclude(session_key=keep or ""))
        for record in records:
            _end(record)
        if keep is None:
            # Sockets of sessions signed in before they were recorded close too.
            events.publish_on_commit(
                events.CredentialsRevoked(user_id=user.pk, credential=EVERY_SESSION)
            )
    return len(records)


def session_is_current(record: UserSession, request: HttpRequest) -> bool:
    return record.session_key == getattr(getattr(request, "session", None), "session_key", None)
