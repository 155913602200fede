"""A page that enqueues a job, as a view of a domain app would (through a service)."""

from pathlib import Path

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from jobs import job


@job()
def touch(name: str) -> None:
    Path(name).touch()


def enqueue(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        touch.enqueue(request.GET["name"])
    return HttpResponse(status=202)


urlpatterns = [path("enqueue", enqueue)]
