"""The one search, on both engines (SQLite FTS5 here, PostgreSQL in the second pass): ranked
and highlighted matches, filters, paging, and only what the caller may read now."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chat.models import Message
from chat.services.attachments import attachment_upload
from chat.services.conversations import dm_open
from chat.services.messages import message_delete, message_edit
from chat.services.rooms import room_invite, room_leave
from parley.errors import BadRequest, NotFound
from search.selectors import message_search


def test_every_word_must_match_and_stems_find_each_other(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "we deployed the release")
    post(ada, room, "deploying is hard")
    post(ada, room, "the release notes")
    assert sorted(search(ada, "deploy")) == ["deploying is hard", "we deployed the release"]
    assert search(ada, "deploy release") == ["we deployed the release"]


def test_a_phrase_matches_its_words_in_order(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "release notes are out")
    post(ada, room, "notes on the release")
    assert search(ada, '"release notes"') == ["release notes are out"]


def test_results_are_ranked_best_first(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "a long message that says cache once among many other words of no interest")
    post(ada, room, "cache cache cache")
    assert search(ada, "cache")[0] == "cache cache cache"


def test_the_snippet_escapes_the_text_and_marks_the_match(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "<script>alert(1)</script> deploy & <b>go</b>")
    [result] = message_search(user=ada, query="deploy")["results"]
    assert "<script>" not in result["snippet"] and "<b>" not in result["snippet"]
    assert "<mark>deploy</mark>" in result["snippet"]
    assert "&amp;" in result["snippet"]


def test_a_result_says_where_the_message_is(make_user, make_room, post):
    ada = make_user(display_name="Ada")
    room = make_room(ada, name="Ops")
    message = post(ada, room, "the deploy")
    [result] = message_search(user=ada, query="deploy")["results"]
    assert result["id"] == message.pk and result["seq"] == message.seq
    assert result["room"] == {"slug": room.slug, "name": "Ops", "kind": "channel", "private": False}
    assert result["author"]["username"] == ada.username
    assert result["created_at"].endswith("Z") and result["thread_root"] is None


@pytest.mark.parametrize("text", ['"', "*", "( ) -", '""'])
def test_punctuation_alone_finds_nothing(make_user, make_room, post, search, text):
    ada = make_user()
    post(ada, make_room(ada), 'a " * ( ) - message')
    assert search(ada, text) == []


@pytest.mark.parametrize(
    "text", ["AND OR NEAR(", 'NEAR("a" "b")', "a* OR b", "x:y", "body:a", "-a", "^a", "{a b}"]
)
def test_engine_syntax_is_only_text(make_user, make_room, post, search, text):
    ada = make_user()
    post(ada, make_room(ada), "and or near a b x y")
    try:
        search(ada, text)
    except BadRequest as error:  # an unknown filter such as x: is refused, clearly
        assert "Unknown filter" in error.message


def test_the_same_words_in_another_case_or_with_accents(make_user, make_room, post, search):
    ada = make_user()
    post(ada, make_room(ada), "Deploy the CAFE")
    assert search(ada, "deploy cafe") == ["Deploy the CAFE"]


# Who may read what.


def test_a_private_room_is_searched_only_by_its_members(make_user, make_room, post, search):
    ada, bob, cyd = make_user(), make_user(), make_user()
    secret = make_room(ada, private=True)
    room_invite(room=secret, by=ada, username=bob.username)
    post(ada, secret, "the secret plan")
    assert search(ada, "plan") == search(bob, "plan") == ["the secret plan"]
    assert search(cyd, "plan") == []


def test_a_room_left_is_no_longer_searched(make_user, make_room, post, search):
    ada, bob = make_user(), make_user()
    secret = make_room(ada, private=True)
    room_invite(room=secret, by=ada, username=bob.username)
    post(ada, secret, "the secret plan")
    room_leave(room=secret, user=bob)
    assert search(bob, "plan") == []


def test_others_dms_are_not_searched(make_user, post, search):
    ada, bob, cyd = make_user(), make_user(), make_user()
    dm, _ = dm_open(by=ada, usernames=[bob.username])
    post(ada, dm, "our plan")
    assert search(bob, "plan") == ["our plan"]
    assert search(cyd, "plan") == []
    assert search(bob, f"in:@{ada.username} plan") == ["our plan"]
    with pytest.raises(NotFound) as mine:
        search(cyd, f"in:@{ada.username} plan")
    with pytest.raises(NotFound) as nobody:
        search(cyd, "in:@nobody plan")
    assert mine.value.code == nobody.value.code


def test_public_rooms_are_searched_by_everyone(make_user, make_room, post, search):
    ada, bob = make_user(), make_user()
    post(ada, make_room(ada), "open plan")
    assert search(bob, "plan") == ["open plan"]


def test_a_deleted_message_is_never_found(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "regret this")
    message_delete(by=ada, room=room, message_id=message.pk)
    assert search(ada, "regret") == []
    assert search(ada, f"from:@{ada.username}") == []


def test_an_edited_message_matches_its_current_text_only(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "typo teh")
    message_edit(by=ada, room=room, message_id=message.pk, body="fixed the")
    assert search(ada, "teh") == []
    assert search(ada, "fixed") == ["fixed the"]


def test_a_thread_reply_is_found_with_its_root(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(ada, room, "hidden answer", thread_root=root.pk)
    [result] = message_search(user=ada, query="answer")["results"]
    assert (result["id"], result["thread_root"], result["seq"]) == (reply.pk, root.pk, None)
    [thread] = message_search(user=ada, query="is:thread root")["results"]
    assert thread["id"] == root.pk


def test_a_room_one_may_not_see_answers_as_one_that_does_not_exist(make_user, make_room):
    ada, bob = make_user(), make_user()
    secret = make_room(ada, private=True)
    with pytest.raises(NotFound) as hidden:
        message_search(user=bob, query=f"in:#{secret.slug} plan")
    with pytest.raises(NotFound) as missing:
        message_search(user=bob, query="in:#nowhere plan")
    assert hidden.value.message == f"There is no room {secret.slug!r}."
    assert missing.value.message == "There is no room 'nowhere'."


def test_a_guest_searches_public_rooms_only(make_user, make_room, post, search):
    from accounts.services import guest_create

    ada = make_user()
    post(ada, make_room(ada), "open plan")
    post(ada, make_room(ada, private=True), "secret plan")
    guest = guest_create()
    assert search(guest, "plan") == ["open plan"]


# Filters.


def test_in_a_room(make_user, make_room, post, search):
    ada = make_user()
    ops, dev = make_room(ada, name="Ops"), make_room(ada, name="Dev")
    post(ada, ops, "deploy ops")
    post(ada, dev, "deploy dev")
    assert search(ada, f"deploy in:#{ops.slug}") == ["deploy ops"]


def test_from_an_author(make_user, make_room, post, search):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    post(ada, room, "deploy by ada")
    post(bob, room, "deploy by bob")
    assert search(bob, f"deploy from:@{ada.username}") == ["deploy by ada"]
    with pytest.raises(NotFound, match="no user"):
        search(bob, "deploy from:@nobody")


def test_has_link(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "deploy https://example.com/x")
    post(ada, room, "deploy soon")
    assert search(ada, "deploy has:link") == ["deploy https://example.com/x"]


def _upload(user, room, name: str):
    return attachment_upload(uploader=user, room=room, upload=SimpleUploadedFile(name, b"notes"))


def test_has_file_finds_the_messages_with_files(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "deploy without a file")
    post(ada, room, "deploy log attached", files=[_upload(ada, room, "log.txt").pk])
    assert search(ada, "deploy has:file") == ["deploy log attached"]
    assert search(ada, f"from:@{ada.username} has:file deploy") == ["deploy log attached"]


def test_a_file_name_is_searched_with_the_text(make_user, make_room, post, search):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    post(ada, room, "the notes", files=[_upload(ada, room, "rollout-checklist.pdf").pk])
    post(ada, room, "nothing to see")
    assert search(ada, "checklist") == ["the notes"]
    page = message_search(user=ada, query="checklist")
    assert "<mark>checklist</mark>" in page["results"][0]["snippet"]
    # A private room's file names stay as private as its messages.
    secret = make_room(ada, private=True)
    post(ada, secret, "", files=[_upload(ada, secret, "salaries-checklist.xlsx").pk])
    assert search(bob, "salaries") == []
    assert search(ada, "salaries") == [""]


def test_before_and_after_a_day(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    old, new = post(ada, room, "deploy old"), post(ada, room, "deploy new")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    day = (timezone.now() - timedelta(days=5)).date().isoformat()
    assert search(ada, f"deploy before:{day}") == ["deploy old"]
    assert search(ada, f"deploy after:{day}") == ["deploy new"]
    assert new.pk


def test_filters_alone_list_the_newest_first(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "first")
    post(ada, room, "second")
    assert search(ada, f"from:@{ada.username}") == ["second", "first"]


# Paging.


def test_pages_follow_the_cursor_to_the_end(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    for n in range(5):
        post(ada, room, f"deploy number {n}")
    first = message_search(user=ada, query="deploy", limit=2)
    second = message_search(user=ada, query="deploy", limit=2, cursor=first["next_cursor"])
    third = message_search(user=ada, query="deploy", limit=2, cursor=second["next_cursor"])
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert len(ids) == len(set(ids)) == 5
    assert third["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["nope", "bzotMQ==", "!!", "bzoxMDAwMDA="])
def test_a_bad_cursor_is_refused(make_user, cursor):
    with pytest.raises(BadRequest, match="cursor"):
        message_search(user=make_user(), query="deploy", cursor=cursor)


# The index follows every write path, not only the services.


def test_a_write_outside_the_services_is_indexed_too(make_user, make_room, post, search):
    ada = make_user()
    message = post(ada, make_room(ada), "before")
    Message.objects.filter(pk=message.pk).update(body="rewritten by an import")
    assert search(ada, "before") == []
    assert search(ada, "import") == ["rewritten by an import"]
    Message.objects.filter(pk=message.pk).delete()
    assert search(ada, "import") == []


@pytest.mark.django_db(transaction=True)
def test_the_index_is_rebuilt_when_a_migration_dropped_its_triggers(
    make_user, make_room, post, search
):
    from django.db import connection

    from search.schema import SQLITE_TRIGGERS, schema_ensure

    if connection.vendor != "sqlite":
        pytest.skip("SQLite alone loses triggers when a migration copies chat_message")
    ada = make_user()
    room = make_room(ada)
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    post(ada, room, "written while the triggers were gone")
    schema_ensure()
    assert search(ada, "gone") == ["written while the triggers were gone"]
    post(ada, room, "and after they came back")
    assert search(ada, "came") == ["and after they came back"]


def test_words_inside_html_like_text_are_found(make_user, make_room, post, search):
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "the <script>deploy</script> and <div>layout</div> a < b")
    assert search(ada, "deploy layout") == [
        "the <script>deploy</script> and <div>layout</div> a < b"
    ]
    [result] = message_search(user=ada, query="layout")["results"]
    assert "&lt;div&gt;<mark>layout</mark>&lt;/div&gt;" in result["snippet"]
    assert "a &lt; b" in result["snippet"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_messages_already_there(make_user, make_room, post, search):
    from django.db import connection

    from search.schema import schema_create, schema_drop

    ada = make_user()
    room = make_room(ada)
    with connection.schema_editor() as editor:
        schema_drop(None, editor)
    post(ada, room, "written before search existed")
    with connection.schema_editor() as editor:
        schema_create(None, editor)
    assert search(ada, "existed") == ["written before search existed"]
    post(ada, room, "and one written later")
    assert search(ada, "later") == ["and one written later"]
