"""An account's email address: where email notifications go, set at creation."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.services import user_create
from parley.errors import BadRequest

PASSWORD = "correct-horse-battery-staple"


def test_createuser_sets_the_address(db):
    call_command(
        "createuser", "ada", "--password", PASSWORD, "--email", "ada@example.com", stdout=StringIO()
    )
    assert User.objects.get(username="ada").email == "ada@example.com"


def test_an_address_that_is_not_one_is_refused(db):
    with pytest.raises(BadRequest, match="valid email address"):
        user_create(username="ada", password=PASSWORD, email="not an address")
    assert not User.objects.exists()


def test_without_an_address_the_account_has_none(db):
    assert user_create(username="ada", password=PASSWORD).email == ""
