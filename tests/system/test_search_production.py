"""Search in production: a real `parley serve` on PostgreSQL + Redis answers GET
/api/v1/search from the GIN index the migration built, ranked with a marked snippet, and only
from what the caller may read."""

import json
import urllib.parse
import urllib.request
import uuid

import pytest

from .test_access_across_processes import room_made

pytestmark = pytest.mark.system


def call(server, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def post(server, token: str, room: str, body: str) -> None:
    call(
        server,
        "POST",
        f"/rooms/{room}/messages",
        token,
        {"body": body, "client_id": str(uuid.uuid4())},
    )


def search(server, token: str, query: str) -> list[dict]:
    return call(server, "GET", "/search?q=" + urllib.parse.quote(query), token)["results"]


def test_production_search_is_ranked_marked_and_private(engines, database, start_server):
    server = start_server(database, engines.redis_url)
    alice, bob = engines.tokens["alice"], engines.tokens["bob"]
    post(server, alice, "general", "the deploy of the billing service failed")
    post(server, alice, "general", "deploy deploy: the deploy is green again")
    secret = room_made(server, alice, {"name": "Payroll", "private": True})
    post(server, alice, secret, "the payroll deploy is scheduled")

    found = search(server, bob, "deploy")
    assert [hit["room"]["slug"] for hit in found] == ["general", "general"]
    assert "green again" in found[0]["snippet"]  # three matches rank above one
    assert "<mark>deploy</mark>" in found[0]["snippet"]
    assert len(search(server, alice, "deploy")) == 3
    assert len(search(server, bob, '"billing service" from:@alice')) == 1
    assert [hit["room"]["slug"] for hit in search(server, alice, "payroll")] == [secret]
    assert search(server, bob, "payroll") == []
