from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .schema import schema_ensure

        post_migrate.connect(schema_ensure, sender=self)
