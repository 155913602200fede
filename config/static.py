"""Static files for the ASGI server: Django's handler, with a path that tries to leave the
static directories (`/static/../../etc/passwd`) answered 404 like any missing file."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import Http404


class StaticFilesHandler(ASGIStaticFilesHandler):
    def serve(self, request):
        try:
            return super().serve(request)
        except SuspiciousOperation as error:  # SuspiciousFileOperation from safe_join
            raise Http404("No such static file.") from error
