"""The full-text index of file names (chat.Attachment.name): `has:file deploy` finds a file
named deploy-notes.pdf. search/schema.py holds both engines' statements."""

from django.db import migrations

from search.schema import files_schema_create, files_schema_drop


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial"), ("chat", "0009_attachments")]

    operations = [migrations.RunPython(files_schema_create, files_schema_drop, elidable=False)]
