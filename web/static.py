"""Static files as Django's handler serves them (config/asgi.py), with the headers the
middleware gives every other response (that handler bypasses the middleware), and a path that
tries to leave the static directories (`/static/../../etc/passwd`) answered 404 like any
missing file."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import Http404

from .csp import add_policy


class StaticFilesHandler(ASGIStaticFilesHandler):
    def serve(self, request):
        try:
            return super().serve(request)
        except SuspiciousOperation as error:  # SuspiciousFileOperation from safe_join
            raise Http404("No such static file.") from error

    async def get_response_async(self, request):
        response = await super().get_response_async(request)
        # A browser must not guess a script or a page out of a file served as something else.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.get("Content-Type", "").startswith("text/html"):  # the not-found page
            add_policy(request, response)
        return response
