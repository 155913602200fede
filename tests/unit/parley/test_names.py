"""Names that could read as something else: bidirectional embedding, override and isolate
characters are refused in display names and room names (parley/text.py), wherever they are set;
bodies may hold them."""

import uuid

import pytest

from accounts.services import user_create, user_rename
from chat.services.messages import message_post
from chat.services.rooms import room_create
from parley.errors import BadRequest

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI)
def test_display_names_refuse_bidi_controls(make_user, control):
    with pytest.raises(BadRequest, match="bidirectional"):
        user_create(
            username="eve", password="correct-horse-battery", display_name=f"Bob{control}evE"
        )
    ada = make_user("ada", "Ada")
    with pytest.raises(BadRequest, match="bidirectional"):
        user_rename(user=ada, display_name=f"{control}Ada")
    ada.refresh_from_db()
    assert ada.display_name == "Ada"


@pytest.mark.parametrize("control", BIDI)
def test_room_names_refuse_bidi_controls(make_user, control):
    with pytest.raises(BadRequest, match="bidirectional"):
        room_create(owner=make_user(), name=f"general{control}lareneg")


def test_right_to_left_names_and_marks_are_fine(make_user):
    assert user_create(
        username="dana", password="correct-horse-battery", display_name="דנה\u200f"
    ).display_name
    assert room_create(owner=make_user(), name="غرفة").name == "غرفة"


def test_a_body_may_hold_them(make_user):
    ada = make_user()
    room = room_create(owner=ada, name="General")
    message, _ = message_post(author=ada, room=room, body="a \u202e b", client_id=uuid.uuid4())
    assert message.body == "a \u202e b"
