"""The ASGI application: Django for HTTP (static files included), Channels for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from ops.asgi import Observed  # noqa: E402
from ops.body_limit import BodyLimit  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402
from web.static import StaticFilesHandler  # noqa: E402

application = Observed(
    ProtocolTypeRouter(
        {
            "http": BodyLimit(StaticFilesHandler(django_application)),
            "websocket": websocket_application(),
        }
    )
)
