"""`python -m parley importsqlite PATH`: copy an embedded Parley (its SQLite file) into the
PostgreSQL database of the production settings. docs/deployment.md, "Moving from the embedded
mode", has the steps around it.

Everything Parley stores is copied with its ids: users (with their password hashes), tokens,
rooms (with `last_seq`), memberships and messages (with `seq`, `client_id` and `created_at`),
and the rows of any other Parley model. Then PostgreSQL's id sequences are moved past the
copied ids. Not copied: sessions (people sign in again; tokens keep working) and Django's
admin log. It runs in one transaction: on any error the target is left as it was.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

SOURCE = "embedded_source"
BATCH = 2000


def parley_models() -> list:
    """Every concrete model of Parley's own apps, with the many-to-many tables that join two
    of them (not the ones into django.contrib.auth's groups and permissions)."""
    own = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and ".venv" not in Path(config.path).parts
    ]
    labels = {config.label for config in own}
    models = []
    for config in own:
        for model in config.get_models(include_auto_created=True):
            # A concrete relation's related_model is a model class once the apps are loaded.
            related = {
                f.related_model._meta.app_label
                for f in model._meta.concrete_fields
                if isinstance(f.related_model, type)
            }
            if not model._meta.proxy and related <= labels:
                models.append(model)
    return models


class Command(BaseCommand):
    help = "Copy an embedded Parley's SQLite database into the (empty) PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help="the embedded database, e.g. data/parley.sqlite3"
        )

    def handle(self, *args, path: Path, **options):
        target = connections[DEFAULT_DB_ALIAS]
        if target.vendor != "postgresql":
            raise CommandError(
                "The target must be PostgreSQL: run with DJANGO_SETTINGS_MODULE=config.settings.production "
                "and DATABASE_URL (docs/deployment.md)."
            )
        if not path.is_file():
            raise CommandError(f"There is no database at {path}.")
        source = self.open_source(path)
        self.check_same_migrations(source)
        models = parley_models()
        if full := [
            m._meta.label for m in models if m._base_manager.using(DEFAULT_DB_ALIAS).exists()
        ]:
            raise CommandError(
                f"The target database already holds data ({', '.join(full)}); importsqlite copies into "
                "an empty, migrated database."
            )
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            # Django makes PostgreSQL's foreign keys DEFERRABLE INITIALLY DEFERRED: they are
            # checked at commit, so the tables may be filled in any order.
            counts = {model: self.copy(model, source) for model in models}
            with target.cursor() as cursor:
                for sql in target.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        connections[SOURCE].close()
        copied = ", ".join(
            f"{n} {m._meta.verbose_name_plural}"
            for m, n in counts.items()
            if not m._meta.auto_created
        )
        self.stdout.write(
            f"Copied {copied} from {path} into PostgreSQL ({target.settings_dict['NAME']})."
        )

    def open_source(self, path: Path) -> str:
        source = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path.resolve())}
        configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, SOURCE: source})
        connections.settings[SOURCE] = configured[SOURCE]
        with connections[SOURCE].cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            )
            if cursor.fetchone() is None:
                raise CommandError(f"{path} is not a Parley database (no django_migrations table).")
        return SOURCE

    def check_same_migrations(self, source: str) -> None:
        """Both databases must be at the same migrations of Parley's apps, so the tables match."""
        labels = {model._meta.app_label for model in parley_models()}

        def applied(alias):
            return {
                (a, n)
                for a, n in MigrationRecorder(connections[alias]).applied_migrations()
                if a in labels
            }

        behind_source = applied(DEFAULT_DB_ALIAS) - applied(source)
        behind_target = applied(source) - applied(DEFAULT_DB_ALIAS)
        if behind_source:
            raise CommandError(
                "Migrate the embedded database first (with the same Parley version): "
                "PARLEY_DATA_DIR=<its directory> python -m parley migrate"
            )
        if behind_target:
            raise CommandError("Migrate the PostgreSQL database first: python -m parley migrate")

    def copy(self, model, source: str) -> int:
        fields = model._meta.local_concrete_fields
        manager = model._base_manager
        batch, count = [], 0
        for instance in manager.using(source).order_by("pk").iterator(chunk_size=BATCH):
            batch.append(instance)
            if len(batch) == BATCH:
                count += self.insert(model, fields, batch)
                batch = []
        return count + (self.insert(model, fields, batch) if batch else 0)

    @staticmethod
    def insert(model, fields, batch) -> int:
        # raw=True, as loaddata saves: values as they are, so auto_now_add (created_at) keeps
        # the source's time instead of now.
        model._base_manager.using(DEFAULT_DB_ALIAS)._insert(
            batch, fields=fields, raw=True, using=DEFAULT_DB_ALIAS
        )
        return len(batch)
