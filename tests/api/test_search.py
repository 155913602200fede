"""Search over REST: `GET /search` answers the one search's page, refuses bad queries with 400,
hides rooms one may not read as missing ones, pages by cursor and counts searches; and
`GET /rooms/{slug}/messages?around=` reads a result in context."""

from urllib.parse import quote
from uuid import uuid4

import pytest

from chat.services.messages import message_post

from .client import assert_error


def post(user, room, body):
    return message_post(author=user, room=room, body=body, client_id=uuid4())[0]


def search(client, q, **params):
    query = "&".join(f"{key}={quote(str(value))}" for key, value in {"q": q, **params}.items())
    return client.get(f"/search?{query}")


def test_a_search_answers_ranked_results_with_safe_snippets(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada, name="Ops")
    message = post(ada, room, "the <b>deploy</b> is done")
    post(ada, room, "nothing here")
    response = search(api_as(ada), "deploy")
    assert response.status_code == 200, response.content
    page = response.json()
    [result] = page["results"]
    assert result["id"] == message.pk and result["seq"] == message.seq
    assert result["room"]["slug"] == room.slug and result["author"]["username"] == ada.username
    assert "<mark>deploy</mark>" in result["snippet"] and "<b>" not in result["snippet"]
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("", "Type something"),
        ("note:x", "Unknown filter"),
        ("before:soon", "YYYY-MM-DD"),
        ("has:pdf", "Unknown filter"),
    ],
)
def test_a_bad_query_is_400_with_a_message(make_user, api_as, q, words):
    response = search(api_as(make_user()), q)
    assert_error(response, 400, "bad_request")
    assert words in response.json()["message"]


@pytest.mark.parametrize("q", ['"', "*", "AND OR NEAR(", 'NEAR("a" "b")', "(", "'"])
def test_engine_syntax_in_a_query_is_only_text(make_user, make_room, api_as, q):
    ada = make_user()
    post(ada, make_room(ada), "and or near")
    assert search(api_as(ada), q).status_code == 200


def test_q_is_required_and_limit_bounded(make_user, api_as):
    client = api_as(make_user())
    assert_error(client.get("/search"), 400, "bad_request")
    assert_error(search(client, "x", limit=101), 400, "bad_request")
    assert_error(search(client, "x", cursor="nope"), 400, "bad_request")


def test_a_room_one_may_not_read_answers_as_a_missing_one(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    secret = make_room(ada, private=True)
    post(ada, secret, "plan")
    hidden = search(api_as(bob), f"plan in:#{secret.slug}")
    missing = search(api_as(bob), "plan in:#nowhere")
    assert_error(hidden, 404, "not_found")
    assert hidden.json()["message"] == f"There is no room {secret.slug!r}."
    assert missing.json()["message"] == "There is no room 'nowhere'."
    assert search(api_as(bob), "plan").json()["results"] == []


def test_pages_follow_next_cursor(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    for n in range(3):
        post(ada, room, f"deploy {n}")
    client = api_as(ada)
    first = search(client, "deploy", limit=2).json()
    second = search(client, "deploy", limit=2, cursor=first["next_cursor"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next_cursor"] is None


def test_searches_over_the_rate_are_429(make_user, api_as, settings):
    settings.PARLEY_SEARCH_RATE = (0.001, 2)
    client = api_as(make_user())
    assert search(client, "a").status_code == 200
    assert search(client, "a").status_code == 200
    refused = search(client, "a")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1


def test_anonymous_callers_are_401(api_as):
    assert_error(search(api_as(None), "x"), 401, "not_authenticated")


def test_the_page_around_a_message(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    for n in range(1, 11):
        post(ada, room, f"m{n}")
    page = api_as(ada).get(f"/rooms/{room.slug}/messages?around=5&limit=4").json()
    assert [m["seq"] for m in page["messages"]] == [3, 4, 5, 6]
    assert page["has_more"] is True
    end = api_as(ada).get(f"/rooms/{room.slug}/messages?around=10&limit=4").json()
    assert [m["seq"] for m in end["messages"]] == [7, 8, 9, 10]
    assert end["has_more"] is True
    start = api_as(ada).get(f"/rooms/{room.slug}/messages?around=1&limit=4").json()
    assert [m["seq"] for m in start["messages"]] == [1, 2, 3, 4]
    assert start["has_more"] is False


def test_around_goes_alone(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    response = api_as(ada).get(f"/rooms/{room.slug}/messages?around=5&before=3")
    assert_error(response, 400, "bad_request")
