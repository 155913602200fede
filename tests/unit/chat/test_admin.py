"""The admin shows staff a message's edit history, and changes none of it."""

import pytest
from django.test import Client

from chat.services.messages import message_edit


@pytest.fixture
def staff_client(make_user):
    admin = make_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_a_messages_page_lists_its_earlier_bodies(make_user, make_room, post, staff_client):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "the first wording")
    message_edit(by=ada, room=room, message_id=message.pk, body="the second wording")
    message_edit(by=ada, room=room, message_id=message.pk, body="the final wording")
    page = staff_client.get(f"/admin/chat/message/{message.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Edit history" in text
    first, second = text.index("the first wording"), text.index("the second wording")
    assert first < second  # oldest first
    assert 'name="edits-0-body"' not in text  # shown, not editable
    assert 'name="edits-MAX_NUM_FORMS" value="0"' in text  # none can be added


def test_the_history_is_not_shown_to_others(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "draft")
    client = Client()
    client.force_login(ada)
    page = client.get(f"/admin/chat/message/{message.pk}/change/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
