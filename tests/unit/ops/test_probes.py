"""/healthz (alive), /readyz (database, channel layer, and any check added to the setting) and
/metrics (Prometheus, behind a bearer token, off without one): cheap, unauthenticated probes."""

import pytest
from django.test import Client

from tests.system.server import free_port


def not_ready():
    raise RuntimeError("the job queue has not been seen for 5 minutes")


def test_healthz_answers_without_authentication_or_the_database(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_checks_the_database_and_the_channel_layer(db, client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "channel_layer": "ok"},
    }


def test_readyz_is_503_when_redis_does_not_answer(db, client: Client, settings):
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.RedisPubSubLayer",
            "CONFIG": {"hosts": [{"address": nobody}]},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "unavailable"}


def test_readiness_checks_are_a_setting_so_jobs_can_join(db, client: Client, settings, caplog):
    settings.PARLEY_READINESS_CHECKS = [*settings.PARLEY_READINESS_CHECKS, f"{__name__}.not_ready"]
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["not_ready"] == "unavailable"
    # Why is logged for the operator, not told to whoever probes.
    assert "5 minutes" not in response.content.decode() and "5 minutes" in caplog.text


def test_metrics_are_off_without_a_token(client: Client, settings):
    settings.PARLEY_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic c2VjcmV0", "Bearer "])
def test_metrics_need_the_token(client: Client, settings, authorization):
    settings.PARLEY_METRICS_TOKEN = "s3cret-metrics-token"
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401 and "parley_" not in response.content.decode()


def test_metrics_with_the_token_list_parleys_series(client: Client, settings):
    settings.PARLEY_METRICS_TOKEN = "s3cret-metrics-token"
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in (
        "parley_open_sockets",
        "parley_posts_total",
        "parley_post_commit_seconds_bucket",
        "parley_deliveries_total",
        "parley_resumes_total",
        "parley_refills_total",
        "parley_reconnect_closes_total",
        "parley_rate_limited_total",
        "parley_login_failures_total",
    ):
        assert f"\n{name}" in text, name
