"""Failed jobs are visible to staff in the admin, with their attempts and last error, and can
be run again; people who are not staff see no jobs."""

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from jobs import job, run_ready

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/admin/django_tasks_database/dbtaskresult/"


@job(retries=0)
def breaks() -> None:
    raise LookupError("the attachment is gone")


@pytest.fixture
def staff_client(make_user):
    admin = make_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_staff_see_a_failed_job_with_its_attempts_and_error(staff_client):
    breaks.enqueue()
    run_ready()
    row = DBTaskResult.objects.get()
    text = staff_client.get(LIST, {"status__exact": "FAILED"}).content.decode()
    assert "breaks" in text and "LookupError" in text
    assert "Run again" in text
    page = staff_client.get(f"{LIST}{row.pk}/change/").content.decode()
    assert "the attachment is gone" in page  # the traceback


def test_run_again_puts_a_failed_job_back_in_the_queue(staff_client):
    breaks.enqueue()
    run_ready()
    row = DBTaskResult.objects.get()
    staff_client.post(LIST, {"action": "run_again", "_selected_action": [str(row.pk)]})
    row.refresh_from_db()
    assert row.status == "READY" and row.worker_ids == []
    run_ready()
    row.refresh_from_db()
    assert row.status == "FAILED" and len(row.worker_ids) == 1


def test_people_who_are_not_staff_see_no_jobs(make_user):
    client = Client()
    client.force_login(make_user())
    assert client.get(LIST).status_code == 302  # to the admin's login
