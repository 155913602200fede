"""Variables every deployment reads (config/settings/base.py): a wrong value stops start-up with
one line naming the variable."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PARLEY_LOG_FORMAT", "xml", "must be one of plain, json"),
        ("PARLEY_LOG_LEVEL", "LOUD", "must be one of DEBUG"),
        ("PARLEY_HEADER_TIMEOUT", "soon", "must be a positive number of seconds"),
        ("PARLEY_HEADER_TIMEOUT", "0", "must be a positive number of seconds"),
        ("PARLEY_PREVIEW_ALLOWED_NETWORKS", "10.0.0.0/8,intranet", "must be networks"),
        ("PARLEY_PREVIEW_TIMEOUT", "-1", "must be a positive number of seconds"),
        ("PARLEY_PREVIEWS_MAX", "three", "must be a whole number"),
    ],
)
def test_a_wrong_variable_is_named(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    sys.modules.pop("config.settings.base", None)
    try:
        with pytest.raises(ImproperlyConfigured, match=f"^{name} {says}"):
            importlib.import_module("config.settings.base")
    finally:
        sys.modules.pop("config.settings.base", None)
