"""Probes and metrics for operators: /healthz, /readyz (load balancers, orchestrators) and
/metrics (Prometheus). docs/deployment.md says how to point each at them.

Written here rather than with django-health-check: that library's database check writes and
deletes a row of its own table on every probe, and a check for the channel layer would be ours
anyway; what a probe needs is a query and a ping, in the few lines below.
"""

import asyncio
import hmac
import inspect
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from prometheus_client.django import PrometheusDjangoView

from parley.errors import ErrorCode

from .multiprocess import forget_dead_processes

logger = logging.getLogger(__name__)

# Seconds a readiness check may take before the process is reported not ready.
CHECK_TIMEOUT = 3.0


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serving HTTP: touches nothing else, so that a database outage
    never has a healthy process restarted."""
    return JsonResponse({"status": "ok"})


async def _run(check) -> None:
    if inspect.iscoroutinefunction(check):
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
    else:
        await asyncio.wait_for(sync_to_async(check)(), CHECK_TIMEOUT)


@never_cache
async def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every readiness check passes, else 503: take the process out of rotation.
    Which part failed is named; why is logged, not shown (the probe is unauthenticated)."""
    results, ready = {}, True
    for path in settings.PARLEY_READINESS_CHECKS:
        name = path.rsplit(".", 1)[-1]
        started = time.monotonic()
        try:
            await _run(import_string(path))
            results[name] = "ok"
        except Exception as error:
            ready = False
            results[name] = "unavailable"
            logger.warning(
                "readiness: %s is unavailable after %.1fs: %r",
                name,
                time.monotonic() - started,
                error,
            )
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


class MetricsView(PrometheusDjangoView):
    """Prometheus' text format, for `Authorization: Bearer <PARLEY_METRICS_TOKEN>` only; without
    a token configured, /metrics does not exist (404)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        expected = settings.PARLEY_METRICS_TOKEN
        if not expected:
            raise Http404("Metrics are off (PARLEY_METRICS_TOKEN).")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), expected.encode()
        ):
            response = JsonResponse(
                {
                    "code": ErrorCode.NOT_AUTHENTICATED,
                    "message": "Send Authorization: Bearer <metrics token>.",
                },
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if self.multiprocess_mode:
            forget_dead_processes()
        return super().dispatch(request, *args, **kwargs)


metrics = never_cache(MetricsView.as_view())
