"""`python -m parley <command>` (or the `parley` script): Django's manage.py for Parley.

Defaults to the embedded settings; set DJANGO_SETTINGS_MODULE=config.settings.production for
PostgreSQL + Redis. `python -m parley help` lists the commands (createuser, createroom, serve, ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parley", *sys.argv[1:]])


if __name__ == "__main__":
    main()
