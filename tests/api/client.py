"""Calling the REST API from tests: JSON in, JSON out, and what a JSON error looks like."""

import json
from urllib.parse import urlencode

from django.test import Client

API = "/api/v1"


class ApiClient:
    """A test Client that sends and reads JSON; `token` None means no Authorization header."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or Client(headers=headers)

    def call(self, method: str, path: str, body=None, **query):
        data = json.dumps(body) if body is not None else ""
        if query:
            path += "?" + urlencode(query)
        return self.client.generic(method, API + path, data, content_type="application/json")

    def get(self, path: str, **query):
        return self.call("GET", path, **query)

    def post(self, path: str, body=None):
        return self.call("POST", path, body)

    def put(self, path: str, body=None):
        return self.call("PUT", path, body)

    def patch(self, path: str, body=None):
        return self.call("PATCH", path, body)

    def delete(self, path: str, body=None):
        return self.call("DELETE", path, body)


def assert_error(response, status: int, code: str) -> dict:
    """The response is the JSON error `{"code", "message"}` with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert body["message"]
    return body
