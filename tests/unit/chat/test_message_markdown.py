"""A message is stored as its Markdown source and its sanitised HTML, made on every post and
edit; `/me` and `/shrug` are applied first (chat.services.messages._compose)."""

import uuid

import pytest

from chat.models import Message
from chat.services.messages import message_edit, message_post
from parley.errors import BadRequest

pytestmark = pytest.mark.django_db


def test_a_post_stores_its_source_and_html(make_user, make_room, post):
    ada = make_user("ada")
    room = make_room(ada, "General")
    message = post(ada, room, "**bold** and `code`")
    stored = Message.objects.get(pk=message.pk)
    assert stored.body == "**bold** and `code`"
    assert stored.html == "<p><strong>bold</strong> and <code>code</code></p>"


def test_mentions_link_people_who_exist_and_rooms_link_only_public_ones(make_user, make_room, post):
    ada, bob = make_user("ada"), make_user("bob")
    general = make_room(ada, "General", slug="general")
    secret = make_room(ada, "Secret", private=True)
    message = post(ada, general, f"@bob @nobody see #general and #{secret.slug}")
    assert 'class="mention"' in message.html and "@bob</a>" in message.html
    assert "@nobody" in message.html and 'data-user="nobody"' not in message.html
    assert 'href="/chat/general/"' in message.html
    assert secret.slug in message.html and f'href="/chat/{secret.slug}/"' not in message.html
    assert bob.pk


def test_user_html_never_survives(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(
        ada, room, "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    )
    assert "<script" not in message.html and "<img" not in message.html
    assert "javascript:" not in message.html.split(">", 1)[0]
    assert "&lt;script&gt;" in message.html


def test_me_is_an_action_and_shrug_keeps_its_backslash(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    action = post(ada, room, "/me waves")
    assert (action.is_action, action.body, action.html) == (True, "waves", "<p>waves</p>")
    shrug = post(ada, room, "/shrug fine")
    assert not shrug.is_action and "¯\\_(ツ)_/¯" in shrug.html
    with pytest.raises(BadRequest):
        message_post(author=ada, room=room, body="/me ", client_id=uuid.uuid4())


def test_a_retried_action_is_the_same_message(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    client_id = uuid.uuid4()
    first, created = message_post(author=ada, room=room, body="/me waves", client_id=client_id)
    again, created_again = message_post(
        author=ada, room=room, body="/me waves", client_id=client_id
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_an_edit_renders_again_and_may_become_an_action(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "plain")
    edited = message_edit(by=ada, room=room, message_id=message.pk, body="/me *dances*")
    stored = Message.objects.get(pk=message.pk)
    assert (stored.is_action, stored.body, stored.html) == (
        True,
        "*dances*",
        "<p><em>dances</em></p>",
    )
    assert edited.html == stored.html


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_messages_stored_before_markdown(make_user, make_room, post):
    import importlib

    from django.apps import apps

    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, "hi **@ada**")
    Message.objects.filter(pk=message.pk).update(html="")
    migration = importlib.import_module("chat.migrations.0005_render_html")
    migration.render_existing(apps, None)
    assert 'data-user="ada"' in Message.objects.get(pk=message.pk).html
