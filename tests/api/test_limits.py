"""REST under the per-user limits: 429 with Retry-After, the same budget as the sockets'."""

import uuid

from chat.services.messages import message_post


def post(api, slug="g", body="hi"):
    return api.post(f"/rooms/{slug}/messages", {"body": body, "client_id": str(uuid.uuid4())})


def test_posts_over_the_users_rate_are_429_with_retry_after(make_user, make_room, api_as, settings):
    settings.PARLEY_POST_RATE = (0.5, 2)
    ada = make_user("ada")
    make_room(ada, slug="g")
    api, other_token_of_ada = api_as(ada), api_as(ada)
    assert post(api).status_code == 201
    assert post(other_token_of_ada).status_code == 201  # one user, two tokens: one budget
    refused = post(api)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"  # whole seconds, rounded up (a token every 2 s)
    body = refused.json()
    assert body["code"] == "rate_limited" and body["message"] and 0 < body["retry_after"] <= 2
    assert post(api_as(make_user("bob"))).status_code == 201


def test_history_pages_spend_the_replay_budget(make_user, make_room, api_as, settings):
    settings.PARLEY_REPLAY_RATE = (0.001, 15)
    ada = make_user("ada")
    room = make_room(ada, slug="g")
    for n in range(10):
        message_post(author=ada, room=room, body=f"m{n}", client_id=uuid.uuid4())
    api = api_as(ada)
    assert len(api.get("/rooms/g/messages", limit=10).json()["messages"]) == 10
    refused = api.get("/rooms/g/messages", limit=10)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"
