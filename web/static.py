"""Static files as Django's handler serves them (config/asgi.py), with the headers the
middleware gives every other response: that handler bypasses the middleware."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from .csp import add_policy


class StaticFilesHandler(ASGIStaticFilesHandler):
    async def get_response_async(self, request):
        response = await super().get_response_async(request)
        # A browser must not guess a script or a page out of a file served as something else.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.get("Content-Type", "").startswith("text/html"):  # the not-found page
            add_policy(request, response)
        return response
