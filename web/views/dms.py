"""`/dm/<username>/`: the direct message with one person. A GET finds it; only the form's
POST makes one (a link followed from elsewhere opens no conversation in anyone's sidebar)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.selectors import user_get_shown
from chat.models import Room
from chat.services.conversations import dm_find, dm_open
from parley.errors import NotFound, ParleyError

from ..csp import csp


@csp
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dm(request, username: str):
    room: Room | None
    try:
        person = user_get_shown(username=username)
        if request.method == "POST":
            room, _ = dm_open(by=request.user, usernames=[person.username])
        else:
            room = dm_find(by=request.user, usernames=[person.username])
    except NotFound:
        return render(request, "web/profile_missing.html", {"username": username}, status=404)
    except ParleyError as error:  # a guest: DMs are for people who signed up
        return render(request, "web/dm_start.html", {"person": None, "error": error}, status=403)
    if room is not None:
        return redirect("web:room", room.slug)
    return render(request, "web/dm_start.html", {"person": person})
