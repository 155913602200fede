"""The search page (`/search/?q=`): the messages the visitor may read that match, a page at a
time, each a link to the message in its room (docs/web.md, "Search")."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parley.errors import ParleyError
from search.selectors import message_search
from throttle.services import reader_key, search_admit

from ..csp import csp
from ..shell import shell_page


def _result_link(result: dict) -> str:
    """Where a result opens: its room at the message, or, for a reply shown only in its
    thread, the room with the thread open."""
    room = f"/chat/{result['room']['slug']}/"
    if result["seq"] is None:
        return f"{room}#thread-{result['thread_root']}"
    return f"{room}#msg-{result['seq']}"


@csp
@shell_page
@require_GET
def search(request):
    """Results for `q` (none asked: an empty page with the search box's help); `cursor` pages
    on. A query that does not parse, an `in:` room the visitor may not read (said exactly as
    for one that does not exist), too many searches: said on the page, which is still the
    shell's page (200), so that the router shows it without reloading."""
    user = request.user
    if not user.is_authenticated and not settings.PARLEY_GUESTS:
        return redirect_to_login(request.get_full_path())
    query = request.GET.get("q", "")
    context: dict = {"q": query, "results": [], "error": None, "next_cursor": None}
    if query.strip():
        try:
            search_admit(
                reader=reader_key(
                    user_id=user.pk if user.is_authenticated else None,
                    address=request.META.get("REMOTE_ADDR"),
                )
            )
            page = message_search(user=user, query=query, cursor=request.GET.get("cursor"))
        except ParleyError as error:
            context["error"] = error.message
        else:
            context["results"] = [
                {**result, "link": _result_link(result)} for result in page["results"]
            ]
            context["next_cursor"] = page["next_cursor"]
    return render(request, "web/search.html", context)
