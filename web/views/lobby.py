"""The lobby (`/`, and `/chat/` as in the Channels tutorial): rooms to enter, and new rooms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from chat.selectors import BROWSE_QUERY_MAX, room_browse, room_list_joined
from chat.services.rooms import room_create, slug_for_name
from parley.errors import ParleyError

from ..csp import csp
from ..forms import RoomCreateForm
from ..shell import shell_page
from .rooms import room_open_and_go


@csp
@shell_page
@require_http_methods(["GET", "HEAD", "POST"])
def lobby(request):
    """The lobby. Its join box POSTs the typed name here, which opens that room, creating it
    when there is none (one step, as in the Channels tutorial); `?room=` (a GET, which
    creates nothing) goes to the room's page, which offers to create a missing one."""
    if not request.user.is_authenticated and not settings.PARLEY_GUESTS:
        return redirect_to_login(request.get_full_path())
    data = request.POST if request.method == "POST" else request.GET
    if typed := data.get("room", "").strip():
        # Any name, in any script, makes a slug (slug_for_name).
        if slug := slug_for_name(typed):
            if request.method == "POST":
                # A new room keeps the name as typed ("Москва планы" at /chat/moskva-plany/).
                return room_open_and_go(request, slug, name=typed)
            return redirect("web:room", slug=slug)
        messages.error(request, "A room name needs at least one letter or digit (in any script).")
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


# Rooms per page in each of the lobby's lists.
LOBBY_PAGE_SIZE = 50


def _render(request, form, status=200):
    """The lobby's lists: the visitor's rooms, and every room they may see (browse), searched
    by name (`?q=`), the archived ones instead with `?archived=1`; each paged on its own."""
    user = request.user
    query = " ".join(request.GET.get("q", "").split())[:BROWSE_QUERY_MAX]
    archived = request.GET.get("archived") == "1"
    # An anonymous visitor sees what a guest sees; a guest identity is made only on a write,
    # not for looking at the list.
    joined = room_list_joined(user=user, archived=False) if user.is_authenticated else []
    browse = room_browse(user=user, q=query, archived=archived)
    context = {
        "joined": Paginator(joined, LOBBY_PAGE_SIZE).get_page(request.GET.get("joined_page")),
        "joined_query": _query_without(request, "joined_page"),
        "rooms": Paginator(browse, LOBBY_PAGE_SIZE).get_page(request.GET.get("page")),
        "rooms_query": _query_without(request, "page"),
        "q": query,
        "archived": archived,
        "rooms_empty": (
            "No room you can see is named like that."
            if query
            else "No archived rooms."
            if archived
            else "No rooms yet: enter a name above to open one."
        ),
        "form": form,
    }
    return render(request, "web/lobby.html", context, status=status)


def _query_without(request, param: str) -> str:
    """The page's query string less one list's page number: that list's pager links keep the
    search and the other list's page."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()
