"""WebSocket routes and the middleware every handshake passes: origin check (HTTP 403), then
session cookie, then bearer token."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.urls import path, re_path

from .auth import BearerTokenMiddleware
from .consumers.protocol_v1 import ProtocolV1Consumer
from .consumers.tutorial import TutorialConsumer
from .origin import OriginCheck

websocket_urlpatterns = [
    path("ws/", ProtocolV1Consumer.as_asgi()),
    re_path(r"^ws/chat/(?P<room_name>[^/]+)/$", TutorialConsumer.as_asgi()),
]


def websocket_application():
    return OriginCheck(AuthMiddlewareStack(BearerTokenMiddleware(URLRouter(websocket_urlpatterns))))
