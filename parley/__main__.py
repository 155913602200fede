"""`python -m parley <command>` (or the `parley` script): Django's manage.py for Parley.

Defaults to the embedded settings; set DJANGO_SETTINGS_MODULE=config.settings.production for
PostgreSQL + Redis. `python -m parley help` lists the commands (createuser, createroom, serve, ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings module)
    except ImproperlyConfigured as error:
        # A deployment mistake (a missing or malformed variable): one line, no traceback.
        sys.exit(f"parley: {error}")
    execute_from_command_line(["parley", *sys.argv[1:]])


if __name__ == "__main__":
    main()
