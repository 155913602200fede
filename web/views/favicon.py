"""/favicon.ico: browsers ask for it whatever a page's `<link rel="icon">` says."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """To Parley's icon, the one the pages name: an answer, not a 404 and a warning in the log."""
    return HttpResponsePermanentRedirect(static("parley/icon.svg"))
