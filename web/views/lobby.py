"""The lobby (`/`, and `/chat/` as in the Channels tutorial): rooms to enter, and new rooms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from chat.selectors import room_list_joined, room_list_visible
from chat.services.rooms import room_create, slug_for_name
from parley.errors import ParleyError

from ..csp import csp
from ..forms import RoomCreateForm


@csp
@require_safe
def lobby(request):
    if typed := request.GET.get("room", "").strip():
        # The join box: any name, in any script, makes a slug (slug_for_name).
        if slug := slug_for_name(typed):
            return redirect("web:room", slug=slug)
        messages.error(request, "A room name needs at least one letter or digit (in any script).")
    if not request.user.is_authenticated and not settings.PARLEY_GUESTS:
        return redirect_to_login(request.get_full_path())
    return _render(request, RoomCreateForm())


@csp
@require_POST
@login_required
def room_new(request):
    form = RoomCreateForm(request.POST)
    if form.is_valid():
        try:
            room = room_create(owner=request.user, **form.cleaned_data)
        except ParleyError as error:
            form.add_error(None, error.message)
        else:
            return redirect("web:room", slug=room.slug)
    return _render(request, form, status=400)


def _render(request, form, status=200):
    user = request.user
    # An anonymous visitor sees what a guest sees; a guest identity is made only on entering a
    # room, not for looking at the list.
    context = {
        "joined": room_list_joined(user=user) if user.is_authenticated else [],
        "public_rooms": room_list_visible(user=user).filter(private=False),
        "form": form,
    }
    return render(request, "web/lobby.html", context, status=status)
