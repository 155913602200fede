"""The OpenAPI schema is served, lists every call, and docs/api.md documents each one."""

from pathlib import Path

from django.conf import settings
from django.test import Client

from .client import API, assert_error

OPERATIONS = {
    ("get", "/api/v1/search"),
    ("get", "/api/v1/notifications/email"),
    ("put", "/api/v1/notifications/email"),
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("put", "/api/v1/me/avatar"),
    ("delete", "/api/v1/me/avatar"),
    ("post", "/api/v1/me/password"),
    ("get", "/api/v1/me/sessions"),
    ("delete", "/api/v1/me/sessions/{id}"),
    ("post", "/api/v1/me/logout-everywhere"),
    ("get", "/api/v1/me/tokens"),
    ("delete", "/api/v1/me/tokens/{id}"),
    ("get", "/api/v1/rooms"),
    ("post", "/api/v1/rooms"),
    ("get", "/api/v1/rooms/{slug}"),
    ("get", "/api/v1/rooms/{slug}/members"),
    ("post", "/api/v1/rooms/{slug}/members"),
    ("delete", "/api/v1/rooms/{slug}/members"),
    ("get", "/api/v1/rooms/{slug}/messages"),
    ("post", "/api/v1/rooms/{slug}/messages"),
    ("post", "/api/v1/rooms/{slug}/files"),
    ("patch", "/api/v1/rooms/{slug}"),
    ("post", "/api/v1/rooms/{slug}/owner"),
    ("post", "/api/v1/rooms/{slug}/archive"),
    ("post", "/api/v1/rooms/{slug}/unarchive"),
    ("patch", "/api/v1/rooms/{slug}/messages/{id}"),
    ("delete", "/api/v1/rooms/{slug}/messages/{id}"),
    ("put", "/api/v1/rooms/{slug}/messages/{id}/reactions/{emoji}"),
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/reactions/{emoji}"),
    ("put", "/api/v1/rooms/{slug}/messages/{id}/pin"),
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/pin"),
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/previews/{preview_id}"),
    ("get", "/api/v1/rooms/{slug}/messages/{id}/previews/{preview_id}/image"),
    ("get", "/api/v1/rooms/{slug}/pins"),
    ("get", "/api/v1/rooms/{slug}/messages/{id}/replies"),
    ("get", "/api/v1/threads"),
    ("get", "/api/v1/rooms/{slug}/events"),
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations/read"),
    ("post", "/api/v1/dms"),
    ("post", "/api/v1/rooms/{slug}/read"),
    ("post", "/api/v1/rooms/{slug}/unread"),
    ("put", "/api/v1/rooms/{slug}/notify"),
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


# What each operation really answers (docs/api.md says when); every one may answer 500.
STATUSES = {
    ("get", "/api/v1/search"): {200, 400, 401, 404, 429, 500},
    ("post", "/api/v1/accounts"): {201, 400, 403, 409, 413, 500},
    ("post", "/api/v1/auth/token"): {200, 400, 401, 413, 429, 500},
    ("delete", "/api/v1/auth/token"): {204, 401, 500},
    ("get", "/api/v1/me"): {200, 401, 500},
    ("patch", "/api/v1/me"): {200, 400, 401, 403, 413, 429, 500},
    ("put", "/api/v1/me/avatar"): {200, 400, 401, 403, 413, 429, 500},
    ("delete", "/api/v1/me/avatar"): {200, 401, 403, 429, 500},
    ("post", "/api/v1/me/password"): {204, 400, 401, 403, 413, 429, 500},
    ("get", "/api/v1/me/sessions"): {200, 401, 500},
    ("delete", "/api/v1/me/sessions/{id}"): {204, 401, 403, 404, 500},
    ("post", "/api/v1/me/logout-everywhere"): {200, 400, 401, 403, 413, 500},
    ("get", "/api/v1/me/tokens"): {200, 401, 500},
    ("delete", "/api/v1/me/tokens/{id}"): {204, 401, 403, 404, 500},
    ("get", "/api/v1/rooms"): {200, 400, 401, 500},
    ("post", "/api/v1/rooms"): {201, 400, 401, 403, 409, 413, 429, 500},
    ("get", "/api/v1/rooms/{slug}"): {200, 401, 404, 500},
    ("get", "/api/v1/rooms/{slug}/members"): {200, 400, 401, 404, 500},
    ("post", "/api/v1/rooms/{slug}/members"): {200, 201, 400, 401, 403, 404, 409, 413, 500},
    ("delete", "/api/v1/rooms/{slug}/members"): {204, 400, 401, 403, 404, 409, 413, 500},
    ("post", "/api/v1/rooms/{slug}/owner"): {200, 400, 401, 403, 404, 413, 500},
    ("post", "/api/v1/rooms/{slug}/archive"): {200, 401, 403, 404, 500},
    ("post", "/api/v1/rooms/{slug}/unarchive"): {200, 401, 403, 404, 500},
    ("get", "/api/v1/rooms/{slug}/messages"): {200, 400, 401, 404, 429, 500},
    ("post", "/api/v1/rooms/{slug}/files"): {201, 400, 401, 403, 404, 409, 413, 429, 500},
    ("post", "/api/v1/rooms/{slug}/messages"): {
        200,
        201,
        400,
        401,
        403,
        404,
        409,
        413,
        429,
        500,
    },
    ("patch", "/api/v1/rooms/{slug}"): {200, 400, 401, 403, 404, 409, 413, 500},
    ("patch", "/api/v1/rooms/{slug}/messages/{id}"): {
        200,
        400,
        401,
        403,
        404,
        409,
        413,
        429,
        500,
    },
    ("delete", "/api/v1/rooms/{slug}/messages/{id}"): {204, 400, 401, 403, 404, 409, 500},
    ("put", "/api/v1/rooms/{slug}/messages/{id}/reactions/{emoji}"): {
        200,
        400,
        401,
        403,
        404,
        409,
        500,
    },
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/reactions/{emoji}"): {
        204,
        400,
        401,
        403,
        404,
        409,
        500,
    },
    ("put", "/api/v1/rooms/{slug}/messages/{id}/pin"): {200, 400, 401, 403, 404, 409, 500},
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/pin"): {204, 400, 401, 403, 404, 409, 500},
    ("delete", "/api/v1/rooms/{slug}/messages/{id}/previews/{preview_id}"): {
        204,
        400,
        401,
        403,
        404,
        409,
        500,
    },
    ("get", "/api/v1/rooms/{slug}/messages/{id}/previews/{preview_id}/image"): {
        200,
        400,
        401,
        404,
        500,
    },
    ("get", "/api/v1/rooms/{slug}/pins"): {200, 400, 401, 404, 500},
    ("get", "/api/v1/rooms/{slug}/messages/{id}/replies"): {200, 400, 401, 404, 429, 500},
    ("get", "/api/v1/threads"): {200, 400, 401, 500},
    ("get", "/api/v1/rooms/{slug}/events"): {200, 400, 401, 404, 429, 500},
    ("get", "/api/v1/conversations"): {200, 401, 500},
    ("post", "/api/v1/conversations/read"): {200, 401, 500},
    ("post", "/api/v1/dms"): {200, 201, 400, 401, 403, 404, 500},
    ("post", "/api/v1/rooms/{slug}/read"): {200, 400, 401, 404, 500},
    ("post", "/api/v1/rooms/{slug}/unread"): {200, 400, 401, 404, 500},
    ("put", "/api/v1/rooms/{slug}/notify"): {200, 400, 401, 404, 500},
    ("get", "/api/v1/notifications/email"): {200, 401, 500},
    ("put", "/api/v1/notifications/email"): {200, 400, 401, 413, 500},
}


def schema() -> dict:
    return Client().get(f"{API}/openapi.json").json()


def test_each_operation_declares_the_statuses_it_really_answers(db):
    paths = schema()["paths"]
    declared = {
        (method, path): {int(status) for status in operation["responses"]}
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert declared == STATUSES


def test_every_error_status_is_the_json_error_shape(db):
    served = schema()
    error_ref = "#/components/schemas/ErrorOut"
    for methods in served["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"]["$ref"] == error_ref


def test_the_limits_the_server_enforces_are_declared(db, settings):
    settings.PARLEY_MAX_BODY = 4000
    schemas = schema()["components"]["schemas"]
    room, message = schemas["RoomIn"]["properties"], schemas["MessageIn"]["properties"]
    assert (room["name"]["minLength"], room["name"]["maxLength"]) == (1, 80)
    assert room["topic"]["maxLength"] == 250
    slug = next(branch for branch in room["slug"]["anyOf"] if branch["type"] == "string")
    assert (slug["pattern"], slug["maxLength"]) == ("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", 64)
    # A post with files may have an empty body (the domain refuses one without).
    assert ("minLength" not in message["body"], message["body"]["maxLength"]) == (True, 4000)
    assert schemas["MessageEditIn"]["properties"]["body"]["minLength"] == 1
    assert message["files"]["anyOf"][0]["maxItems"] == 10
    assert schemas["AccountIn"]["properties"]["display_name"]["maxLength"] == 80


def test_the_declared_slug_pattern_is_the_one_the_domain_enforces():
    import re

    from api.schemas import SLUG_PATTERN
    from chat.services.rooms import SLUG_RE

    for slug in ("general", "Ops-2", "a", "x" * 64, "-no", "", "x" * 65, "has space", "日本"):
        assert bool(re.match(SLUG_PATTERN, slug)) == bool(SLUG_RE.match(slug.lower())), slug
