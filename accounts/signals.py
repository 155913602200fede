"""Credential changes, however they happen, end what they revoke on open sockets.

The services (token_revoke, user_password_set, user_deactivate) change the rows, and so do
code paths outside Parley: Django's logout, the admin's user and token pages, `changepassword`.
These receivers watch the rows instead of the callers, so every path publishes the same
`credentials.revoked` event (parley/events.py), after commit, to the user's stream.

Logging in and out also keeps the user's list of browser sessions (accounts/sessions.py), and
a user's picture leaves the files storage with them (accounts/avatars.py).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from parley import events

from .avatars import user_avatar_delete_on_commit
from .credentials import EVERY_SESSION, EVERYTHING, session_name, token_name
from .models import Token, User
from .sessions import session_forget, session_record

# What pre_save found in the database, for post_save to compare: (password, is_active).
_BEFORE = "_parley_credentials_before"


def _revoke(user_id: int, credential: str) -> None:
    events.publish_on_commit(events.CredentialsRevoked(user_id=user_id, credential=credential))


def _touches(update_fields, *names: str) -> bool:
    return update_fields is None or any(name in update_fields for name in names)


@receiver(pre_save, sender=User)
def _remember_credentials(sender, instance: User, update_fields=None, **kwargs):
    if instance._state.adding or not _touches(update_fields, "password", "is_active"):
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    setattr(instance, _BEFORE, before)


@receiver(post_save, sender=User)
def _user_saved(sender, instance: User, created: bool, **kwargs):
    before = instance.__dict__.pop(_BEFORE, None)
    if created or before is None:
        return
    password, was_active = before
    if was_active and not instance.is_active:
        _revoke(instance.pk, EVERYTHING)
    elif password != instance.password:
        _revoke(instance.pk, EVERY_SESSION)


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance: User, **kwargs):
    # However the user goes (the admin, a guest's clean-up): their picture too, once it commits.
    user_avatar_delete_on_commit(instance)


@receiver(post_save, sender=Token)
def _token_saved(sender, instance: Token, update_fields=None, **kwargs):
    if instance.revoked_at is not None and _touches(update_fields, "revoked_at"):
        _revoke(instance.user_id, token_name(instance.pk))


@receiver(post_delete, sender=Token)
def _token_deleted(sender, instance: Token, **kwargs):
    _revoke(instance.user_id, token_name(instance.pk))


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # A token issue sends this too (accounts.services.token_issue): only a session that now
    # holds this user is recorded.
    session = getattr(request, "session", None)
    if session is not None and str(session.get(SESSION_KEY)) == str(user.pk):
        session_record(request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        session_forget(session_key=session_key)
        _revoke(user.pk, session_name(session_key))
