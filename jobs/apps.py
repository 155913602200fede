from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django.db import transaction
        from django.utils.module_loading import autodiscover_modules
        from django_tasks.signals import task_enqueued

        from .worker import wake

        def wake_on_commit(**kwargs: object) -> None:
            # The job's row commits with the change that enqueued it; a worker in this process
            # (the thread in `parley serve`) looks at once instead of at its next poll.
            transaction.on_commit(wake.set)

        task_enqueued.connect(wake_on_commit, weak=False, dispatch_uid="jobs.wake")
        # Every app's jobs (their `tasks.py`): the periodic ones are enqueued by the workers.
        autodiscover_modules("tasks")
