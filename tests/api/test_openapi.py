"""The OpenAPI schema is served, lists every call, and docs/api.md documents each one."""

from pathlib import Path

from django.conf import settings
from django.test import Client

from .client import API, assert_error

OPERATIONS = {
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/rooms"),
    ("post", "/api/v1/rooms"),
    ("get", "/api/v1/rooms/{slug}"),
    ("get", "/api/v1/rooms/{slug}/members"),
    ("post", "/api/v1/rooms/{slug}/members"),
    ("delete", "/api/v1/rooms/{slug}/members"),
    ("get", "/api/v1/rooms/{slug}/messages"),
    ("post", "/api/v1/rooms/{slug}/messages"),
}


def served_operations() -> set[tuple[str, str]]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    return {(method, path) for path, methods in schema["paths"].items() for method in methods}


def test_openapi_json_is_served_without_auth_and_lists_every_call(db):
    assert served_operations() == OPERATIONS


def test_openapi_declares_bearer_and_session_auth(db):
    schemes = Client().get(f"{API}/openapi.json").json()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def test_interactive_docs_page_is_not_served(db):
    assert_error(Client().get(f"{API}/docs"), 404, "not_found")


def test_every_call_is_documented_in_docs_api_md(db):
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    undocumented = [
        f"{method.upper()} {path}"
        for method, path in sorted(served_operations())
        if f"### `{method.upper()} {path}`" not in text
    ]
    assert not undocumented, f"docs/api.md has no section for: {undocumented}"
