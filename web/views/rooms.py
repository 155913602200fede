"""A room's page (`/chat/<slug>/`) and the forms on it: invite, leave, and what its owner (or
an administrator) manages: name and topic, removing members, handing over, archiving."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import guest_for_session, session_guest
from chat.models import Room
from chat.payloads import conversation_notify_default, dm_name
from chat.selectors import membership_notify, room_find_visible, room_get_visible, room_members
from chat.services.pins import pin_may_change
from chat.services.reading import notify_set
from chat.services.room_admin import (
    room_archive,
    room_may_manage,
    room_owner_transfer,
    room_unarchive,
)
from chat.services.rooms import (
    member_remove,
    room_invite,
    room_join,
    room_leave,
    room_open,
    room_update,
    slug_clean,
)
from parley.errors import BadRequest, Conflict, NameTaken, NotFound, ParleyError, RateLimited

from ..csp import csp
from ..forms import InviteForm, LeaveForm, MemberForm, NotifyForm, RoomSettingsForm
from ..shell import shell_page

# Members the room page lists; the count says how many there are in all.
MEMBER_PANEL_SIZE = 100


@csp
@shell_page
@require_http_methods(["GET", "HEAD", "POST"])
def room(request, slug):
    """GET shows the room, or, when there is none the visitor may see, a page offering to
    create it, the same for a missing room and a private one. POST opens the room, creating it
    (public) when there is none: the Channels tutorial's "enter a name, chat" in one step. Only
    POST writes: a GET creates no room, no guest and no membership other than joining a public
    room a signed-in visitor opens."""
    if not request.user.is_authenticated and not settings.PARLEY_GUESTS:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        return room_open_and_go(request, slug)
    room = room_find_visible(slug=slug, user=request.user)
    if room is None:
        return room_offer(request, slug)
    if room.slug != slug:
        return redirect("web:room", slug=room.slug)
    visitor = request.user if request.user.is_authenticated else None
    if visitor is None:
        visitor = session_guest(request.session)
        if request.session.session_key is None:
            # The page's socket keeps the guest it makes on the visitor's first write in this
            # session (a session, not a user: no guest exists before that write).
            request.session.save()
            request.session.modified = True
    archived = room.archived_at is not None
    if visitor is not None and not visitor.is_guest and not room.private and not archived:
        room_join(room=room, user=visitor)
    is_owner = visitor is not None and room.owner_id == visitor.pk and not visitor.is_guest
    manager = visitor is not None and room_may_manage(room=room, by=visitor)
    members = room_members(room=room)
    shown, count = list(members[:MEMBER_PANEL_SIZE]), members.count()
    # Whom the owner of a private room hands it to as they leave (the leave form asks).
    successors = [m for m in shown if m.pk != room.owner_id] if room.private and is_owner else []
    # A DM is shown by the name its viewer sees, as the sidebar shows it (its stored name is
    # every username, the viewer's too), with the sidebar's @ rather than a channel's #.
    is_dm = room.kind == Room.Kind.DM
    title = room.name
    if is_dm and visitor is not None:
        title = dm_name(shown, viewer_id=visitor.pk) or visitor.shown_name
    context = {
        "room": room,
        "is_dm": is_dm,
        "room_title": title,
        "room_sign": "@" if is_dm else "#",
        "visitor_name": visitor.shown_name if visitor is not None else "Anonymous",
        "visitor_is_guest": visitor is None or visitor.is_guest,
        # The first page of members (all of them: GET /api/v1/rooms/{slug}/members, paged).
        "members": shown,
        "member_count": count,
        "members_more": count - len(shown),
        "invite_form": InviteForm() if room.private and is_owner and not archived else None,
        # Nobody leaves a DM (chat.services.rooms.room_leave): its people are what it is.
        "can_leave": visitor is not None and not visitor.is_guest and not is_dm,
        "archived": archived,
        # What its owner or an administrator manages (docs/web.md, "Managing a room").
        "manager": manager,
        "settings_form": (
            RoomSettingsForm(
                initial={
                    "name": room.name,
                    "topic": room.topic,
                    "wide_mentions": room.wide_mentions,
                }
            )
            if manager and not archived
            else None
        ),
        # How the room notifies the visitor, when they are a member (chat/services/reading.py).
        "notify_form": _notify_form(room, visitor),
        "successors": successors,
        # The owner alone in a private room: leaving archives it (chat.services.rooms.room_leave).
        "last_member": room.private and is_owner and count == 1,
        "max_body": settings.PARLEY_MAX_BODY,
        # What the page's message menus offer (the services decide): pins for signed-up
        # people (also the REST lists); deleting anyone's message for who manages the room.
        "signed_in": visitor is not None and not visitor.is_guest,
        "can_pin": visitor is not None and pin_may_change(user=visitor),
        "can_moderate": visitor is not None and room_may_manage(room=room, by=visitor),
    }
    return render(request, "web/room.html", context)


def room_open_and_go(request, slug, *, name: str | None = None):
    """Open the room at `slug` (creating it, public, named `name`, when there is none) and go
    there. An anonymous visitor becomes a guest here: creating a room is a write."""
    try:
        user = request.user
        if not user.is_authenticated:
            user = guest_for_session(request.session, address=request.META.get("REMOTE_ADDR"))
        room = room_open(slug=slug, user=user, name=name)
    except RateLimited as error:
        response = room_offer(request, slug, error=error.message, status=429)
        response["Retry-After"] = str(math.ceil(error.retry_after))
        return response
    except (Conflict, NameTaken) as error:
        return room_offer(request, slug, error=error.message, status=409)
    except BadRequest as error:
        if name is not None:  # the typed name (bidirectional controls, say): say what is wrong
            return room_offer(request, slug, error=error.message, status=400)
        return room_not_found(request, slug)
    return redirect("web:room", slug=room.slug)


def room_offer(request, slug, *, error: str = "", status: int = 404):
    """ "Create this room?": the answer for a room that does not exist and for one the visitor
    may not see, alike, so that private rooms' names do not leak. A name that cannot be a
    slug gets the plain not-found page."""
    try:
        slug = slug_clean(slug)
    except BadRequest:
        return room_not_found(request, slug)
    return render(request, "web/room_create.html", {"slug": slug, "error": error}, status=status)


@csp
@require_POST
@login_required
def invite(request, slug):
    return _member_act(
        request,
        slug,
        InviteForm(request.POST),
        refusal="Type the username of the person to invite.",
        change=lambda room, name: room_invite(room=room, by=request.user, username=name),
        done=lambda room, name: f"{name} is now a member of {room.name}.",
    )


@csp
@require_POST
@login_required
def leave(request, slug):
    """Leave the room; the owner of a private room names a member to hand it to."""
    form = LeaveForm(request.POST)
    new_owner = form.cleaned_data["new_owner"] or None if form.is_valid() else None
    return _act(
        request,
        slug,
        lambda room: room_leave(room=room, user=request.user, new_owner=new_owner),
        lambda room: f"You left {room.name}.",
        to_lobby=True,
    )


@csp
@require_POST
@login_required
def room_settings(request, slug):
    """Rename the room and change its topic."""
    form = RoomSettingsForm(request.POST)
    if not form.is_valid():
        return _refuse(request, slug, "A room needs a name of at most 80 characters.")
    data = form.cleaned_data
    return _act(
        request,
        slug,
        lambda room: room_update(
            room=room,
            by=request.user,
            name=data["name"],
            topic=data["topic"],
            wide_mentions=data["wide_mentions"],
        ),
        lambda room: "Saved.",
    )


def _notify_form(room, visitor) -> NotifyForm | None:
    notify = membership_notify(room=room, user=visitor) if visitor is not None else None
    if notify is None:
        return None
    default = conversation_notify_default(room)
    return NotifyForm(
        initial={"notify": notify},
        default=f"The default ({'every message' if default == 'all' else 'mentions only'})",
    )


@csp
@require_POST
@login_required
def notify(request, slug):
    """How the room notifies the visitor (`notify_set`)."""
    form = NotifyForm(request.POST)
    if not form.is_valid():
        return _refuse(request, slug, "Choose how the room notifies you.")
    level = form.cleaned_data["notify"]
    return _act(
        request,
        slug,
        lambda room: notify_set(user=request.user, room=room, notify=level),
        lambda room: "Notifications saved.",
    )


@csp
@require_POST
@login_required
def remove(request, slug):
    return _member_act(
        request,
        slug,
        MemberForm(request.POST),
        refusal="Say whom to remove.",
        change=lambda room, name: member_remove(room=room, by=request.user, username=name),
        done=lambda room, name: f"{name} is no longer a member of {room.name}.",
    )


@csp
@require_POST
@login_required
def owner(request, slug):
    return _member_act(
        request,
        slug,
        MemberForm(request.POST),
        refusal="Choose the member to hand the room to.",
        change=lambda room, name: room_owner_transfer(room=room, by=request.user, username=name),
        done=lambda room, name: f"{name} now owns {room.name}.",
    )


@csp
@require_POST
@login_required
def archive(request, slug):
    return _act(
        request,
        slug,
        lambda room: room_archive(room=room, by=request.user),
        lambda room: f"{room.name} is archived: read-only, and out of the lobby's lists.",
    )


@csp
@require_POST
@login_required
def unarchive(request, slug):
    return _act(
        request,
        slug,
        lambda room: room_unarchive(room=room, by=request.user),
        lambda room: f"{room.name} is open again.",
    )


def _act(request, slug, change, done, *, to_lobby: bool = False):
    """The room's forms: find the room (a private one the visitor is not in is missing), make
    the one change, say how it went, and go back to the room (or to the lobby). The services
    decide who may; their refusal is the message shown, on the room's page."""
    try:
        room = room_get_visible(slug=slug, user=request.user)
    except NotFound:
        return room_not_found(request, slug)
    try:
        change(room)
    except ParleyError as error:
        messages.error(request, error.message)
        return redirect("web:room", slug=room.slug)
    messages.success(request, done(room))
    return redirect("web:lobby") if to_lobby else redirect("web:room", slug=room.slug)


def _member_act(request, slug, form, *, refusal: str, change, done):
    """`_act` for a form naming one person (`username`): `refusal` when it names nobody."""
    if not form.is_valid():
        return _refuse(request, slug, refusal)
    name = form.cleaned_data["username"]
    return _act(request, slug, lambda room: change(room, name), lambda room: done(room, name))


def _refuse(request, slug, message: str):
    """A form filled in wrong: back to the room's page, which says why (and answers a room the
    visitor may not see as a missing one, as ever)."""
    messages.error(request, message)
    try:
        return redirect("web:room", slug=slug_clean(slug))
    except BadRequest:
        return room_not_found(request, slug)


def room_not_found(request, slug):
    # The same answer for a room that does not exist and one the visitor may not see, so that
    # private rooms' names do not leak.
    return render(request, "web/room_not_found.html", {"slug": slug}, status=404)
