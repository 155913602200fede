"""Every answer under /api/v1/ that is an error is JSON `{"code", "message"}`."""

import logging

from django.http import Http404
from django.test import Client

from .client import API, ApiClient, assert_error


def test_unknown_path_is_404_json(make_user, api_as):
    assert_error(api_as(make_user()).get("/nothing/here"), 404, "not_found")


def test_trailing_slash_is_404_json_not_a_redirect(make_user, api_as):
    assert_error(api_as(make_user()).get("/rooms/"), 404, "not_found")


def test_unknown_path_post_without_csrf_is_404_json(db):
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/nothing", {}, content_type="application/json"
    )
    assert_error(response, 404, "not_found")


def test_wrong_method_is_405_json_with_allow(make_user, api_as):
    response = api_as(make_user()).call("PUT", "/rooms")
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_unparsable_body_is_400(make_user, api_as):
    client = api_as(make_user())
    response = client.client.generic(
        "POST", f"{API}/rooms", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "bad_request")


def test_missing_body_is_400(make_user, api_as):
    body = assert_error(api_as(make_user()).post("/rooms"), 400, "bad_request")
    assert "body" in body["message"]


def test_body_that_is_not_an_object_is_400(make_user, api_as):
    assert_error(api_as(make_user()).post("/rooms", ["General"]), 400, "bad_request")


def test_http404_is_404_not_found(make_user, api_as, monkeypatch):
    def raise_404(**kwargs):
        raise Http404("gone")

    monkeypatch.setattr("api.rooms.room_get_visible", raise_404)
    assert_error(api_as(make_user()).get("/rooms/general"), 404, "not_found")


def test_unexpected_exception_is_500_json_and_logged(make_user, api_as, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("api.rooms.room_browse", explode)
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = api_as(make_user()).get("/rooms")
    body = assert_error(response, 500, "internal_error")
    assert "boom" not in body["message"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_error_bodies_never_use_ninjas_detail_shape(db):
    response = ApiClient().post("/auth/token", {"username": "x"})
    assert "detail" not in assert_error(response, 400, "bad_request")
