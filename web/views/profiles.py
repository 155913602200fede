"""A person's page: where a message's @mention links to."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils import timezone

from accounts.payloads import profile_payload
from accounts.selectors import user_get_shown
from accounts.services import time_zones
from chat.selectors import room_list_joined, room_list_visible
from parley.errors import NotFound

from ..csp import csp


@csp
def profile(request, username: str):
    if not request.user.is_authenticated and not settings.PARLEY_GUESTS:
        return redirect_to_login(request.get_full_path())
    try:
        person = user_get_shown(username=username)
    except NotFound:
        return render(request, "web/profile_missing.html", {"username": username}, status=404)
    # The rooms both of you are in that you may see (a private one only when you are in it).
    shared = room_list_joined(user=person).filter(
        pk__in=room_list_visible(user=request.user).values("pk")
    )
    # Their local time when they said their time zone (checked when set; a tz database
    # updated since may have dropped it, and then the page just leaves it out).
    local_time = None
    if person.time_zone in time_zones():
        local_time = timezone.localtime(timezone=zoneinfo.ZoneInfo(person.time_zone))
    context = {
        "person": person,
        "card": profile_payload(person),
        "local_time": local_time,
        "rooms": shared[:50],
    }
    return render(request, "web/profile.html", context)
