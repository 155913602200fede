from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
