"""The full-text index of messages: an FTS5 table kept by triggers (SQLite), or a stored
tsvector column with a GIN index (PostgreSQL); search/schema.py says which and why. Built over
the messages already stored."""

from django.db import migrations

from search.schema import schema_create, schema_drop


class Migration(migrations.Migration):
    dependencies = [("chat", "0008_conversations")]

    operations = [migrations.RunPython(schema_create, schema_drop, elidable=False)]
