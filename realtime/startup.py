"""What `parley serve` says when it starts: where Parley answers, where its data lives and how
to sign in, in words for whoever typed `make run` (docs/deployment.md has the operator's view)."""

import os
import sys

from django.conf import settings
from django.urls import reverse


def start_message(*, url: str, workers: int) -> str:
    lines = [
        f"Parley is running at {url}  (Ctrl-C stops it)",
        f"  Data:     {data_location(settings.DATABASES['default'])}",
        *_sign_in(url),
    ]
    if workers > 1:
        lines.append(
            f"  {workers} server processes share the port; Redis carries messages between them."
        )
    return "\n".join(lines)


def data_location(database: dict) -> str:
    """Where a database setting (settings.DATABASES["default"]) keeps Parley's data, in words."""
    if database["ENGINE"].endswith("sqlite3"):
        folder = _shown(os.path.dirname(os.fspath(database["NAME"])))
        return f"{folder}{os.sep} holds it all: the SQLite database (users, rooms, messages), the secret key"
    where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
    return f"the PostgreSQL database {database['NAME']!r} at {where}"


def _sign_in(url: str) -> list[str]:
    create = f"{_shown(sys.executable)} -m parley createuser NAME --admin"
    if not settings.PARLEY_OPEN_SIGNUP:
        return [f"  Sign in:  with a user made by: {create}"]
    return [
        f"  Sign in:  sign up at {url.rstrip('/')}{reverse('web:signup')}",
        f"            or make a user here: {create}",
    ]


def _shown(path: str) -> str:
    """A path as the person at the terminal would type it: relative when it is below here."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
