"""A person's profile change, told to everyone who shows them.

The profile is the identity layer's (accounts.services.user_profile_update); who sees a person
is chat's: the people they share a room with. Each of them (and the person, on every socket of
theirs) gets a UserUpdated on their user stream after commit, so a new name, avatar or status
shows at once in member lists, headers and the person's next messages; a new picture too
(avatar_set, avatar_remove). One event per distinct co-member: the fan-out is bounded by the
people who can show the change.
"""

from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.avatars import user_avatar_remove, user_avatar_set
from accounts.models import User
from accounts.payloads import profile_payload
from accounts.services import user_profile_update
from parley import events
from throttle.services import post_admit

from ..models import Membership


def user_co_member_ids(*, user: User) -> set[int]:
    """The ids of the people who share a room with `user`, `user` included."""
    rooms = Membership.objects.filter(user=user).values("room_id")
    ids = set(
        Membership.objects.filter(room_id__in=rooms).values_list("user_id", flat=True).distinct()
    )
    return ids | {user.pk}


def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    status_emoji: str | None = None,
    status_text: str | None = None,
    time_zone: str | None = None,
) -> User:
    """Change the user's profile (None: unchanged; BadRequest for an invalid value, see
    user_profile_update) and, when something changed, tell whoever shows them. A change
    spends the user's post rate (RateLimited), as it is told to many."""
    post_admit(user_id=user.pk)
    with transaction.atomic():
        changed = user_profile_update(
            user=user,
            display_name=display_name,
            status_emoji=status_emoji,
            status_text=status_text,
            time_zone=time_zone,
        )
        if changed:
            _profile_changed(user)
    return user


def _profile_changed(user: User) -> None:
    """Tell the person and everyone who shares a room with them, once the change commits."""
    payload = profile_payload(user)
    for user_id in sorted(user_co_member_ids(user=user)):
        events.publish_on_commit(events.UserUpdated(user_id=user_id, user=payload))


def avatar_set(*, user: User, upload: UploadedFile | IO[bytes]) -> User:
    """Make the picture in `upload` the user's avatar (accounts.avatars.user_avatar_set:
    BadRequest for what is not an image, TooLarge over its limits) and tell whoever shows them,
    as for a profile change. Spends the user's post rate (RateLimited). Call it outside a
    transaction (the picture is made before the change is recorded)."""
    post_admit(user_id=user.pk)
    if user_avatar_set(user=user, upload=upload):
        _profile_changed(user)
    return user


def avatar_remove(*, user: User) -> User:
    """Show the user's initials again and tell whoever shows them (nothing when they had no
    picture). Spends the user's post rate (RateLimited)."""
    post_admit(user_id=user.pk)
    if user_avatar_remove(user=user):
        _profile_changed(user)
    return user
