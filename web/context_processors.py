from django.conf import settings

from .shell import FRAGMENT_TEMPLATE, SHELL_TEMPLATE, is_fragment, workspace_conversations


def parley(request):
    return {
        "parley_guests": settings.PARLEY_GUESTS,
        "parley_open_signup": settings.PARLEY_OPEN_SIGNUP,
        # What a shell page extends: the whole shell, or its content alone (web/shell.py).
        "parley_frame": FRAGMENT_TEMPLATE if is_fragment(request) else SHELL_TEMPLATE,
        # Called by the template only where the shell renders the sidebar (one query).
        "parley_workspace": lambda: workspace_conversations(request),
    }
