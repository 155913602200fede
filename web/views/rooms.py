"""A room's page (`/chat/<slug>/`) and the forms on it: invite and leave."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.services import guest_for_session
from chat.selectors import room_get_visible, room_members
from chat.services.rooms import room_get_or_create_public, room_invite, room_join, room_leave
from parley.errors import BadRequest, Forbidden, NotFound, ParleyError

from ..csp import csp
from ..forms import InviteForm


@csp
@require_safe
def room(request, slug):
    """Opens the room, creating it (public) on a first visit, as the tutorial's page does.

    An anonymous visitor gets a guest identity in the session here, before the page's
    WebSocket connects: the socket finds the guest in the same session."""
    if request.user.is_authenticated:
        visitor = request.user
    elif settings.PARLEY_GUESTS:
        visitor = guest_for_session(request.session)
    else:
        return redirect_to_login(request.get_full_path())
    try:
        room = room_get_or_create_public(slug=slug, user=visitor)
    except (BadRequest, Forbidden):
        return room_not_found(request, slug)
    if room.slug != slug:
        return redirect("web:room", slug=room.slug)
    if not visitor.is_guest and not room.private:
        room_join(room=room, user=visitor)
    is_owner = room.owner_id == visitor.pk and not visitor.is_guest
    context = {
        "room": room,
        "visitor": visitor,
        "members": list(room_members(room=room)),
        "invite_form": InviteForm() if room.private and is_owner else None,
        "can_leave": not visitor.is_guest,
        "max_body": settings.PARLEY_MAX_BODY,
    }
    return render(request, "web/room.html", context)


@csp
@require_POST
@login_required
def invite(request, slug):
    try:
        room = room_get_visible(slug=slug, user=request.user)
    except (NotFound, Forbidden):
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
    except (NotFound, Forbidden):
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
