"""A room's page (`/chat/<slug>/`) and the forms on it: invite and leave."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import guest_for_session, session_guest
from chat.selectors import room_find_visible, room_get_visible, room_members
from chat.services.pins import pin_may_change
from chat.services.rooms import (
    room_invite,
    room_join,
    room_leave,
    room_may_manage,
    room_open,
    slug_clean,
)
from parley.errors import BadRequest, Conflict, NotFound, ParleyError, RateLimited

from ..csp import csp
from ..forms import InviteForm
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
    if visitor is not None and not visitor.is_guest and not room.private:
        room_join(room=room, user=visitor)
    is_owner = visitor is not None and room.owner_id == visitor.pk and not visitor.is_guest
    members = room_members(room=room)
    shown, count = list(members[:MEMBER_PANEL_SIZE]), members.count()
    context = {
        "room": room,
        "visitor_name": visitor.shown_name if visitor is not None else "Anonymous",
        "visitor_is_guest": visitor is None or visitor.is_guest,
        # The first page of members (all of them: GET /api/v1/rooms/{slug}/members, paged).
        "members": shown,
        "member_count": count,
        "members_more": count - len(shown),
        "invite_form": InviteForm() if room.private and is_owner else None,
        "can_leave": visitor is not None and not visitor.is_guest,
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
    except Conflict as error:
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
    try:
        room = room_get_visible(slug=slug, user=request.user)
    except NotFound:
        return room_not_found(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type the username of the person to invite.")
        return redirect("web:room", slug=room.slug)
    username = form.cleaned_data["username"]
    try:
        room_invite(room=room, by=request.user, username=username)
    except ParleyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{username} is now a member of {room.name}.")
    return redirect("web:room", slug=room.slug)


@csp
@require_POST
@login_required
def leave(request, slug):
    try:
        room = room_get_visible(slug=slug, user=request.user)
    except NotFound:
        return room_not_found(request, slug)
    try:
        room_leave(room=room, user=request.user)
    except ParleyError as error:
        messages.error(request, error.message)
        return redirect("web:room", slug=room.slug)
    messages.info(request, f"You left {room.name}.")
    return redirect("web:lobby")


def room_not_found(request, slug):
    # The same answer for a room that does not exist and one the visitor may not see, so that
    # private rooms' names do not leak.
    return render(request, "web/room_not_found.html", {"slug": slug}, status=404)
