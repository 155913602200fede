"""The jobs in the admin (staff only, like all of /admin/): every job with its status,
attempts and last error, failed ones filtered in one click, and "Run again" for finished ones;
the live workers with their heartbeats."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import Schedule, Worker

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class JobAdmin(DBTaskResultAdmin):
    list_display = (  # type: ignore[assignment]
        "id",
        "task_name",
        "status",
        "attempts",
        "last_error",
        "enqueued_at",
        "started_at",
        "finished_at",
        "run_after",
    )
    search_fields = ("task_path", "exception_class_path")
    actions = ["run_again"]

    @admin.display(description="attempts")
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    @admin.display(description="last error")
    def last_error(self, obj: DBTaskResult) -> str:
        return obj.exception_class_path.rsplit(".", 1)[-1] or "-"

    def has_run_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")

    @admin.action(description="Run again (finished jobs)", permissions=["run"])
    def run_again(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        finished = queryset.filter(
            status__in=[TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
        )
        count = finished.update(
            status=TaskResultStatus.READY,
            run_after=timezone.now(),
            finished_at=None,
            worker_ids=[],
        )
        self.message_user(request, f"{count} job(s) queued to run again.", messages.SUCCESS)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("id", "host", "pid", "started", "last_seen")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Worker | None = None) -> bool:
        return False


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "next_run")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
