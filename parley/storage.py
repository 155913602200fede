"""Where uploaded files are kept: one storage for every domain app (chat's files, thumbnails and
link previews, accounts' avatars), so the embedded filesystem and production's object store
are one code path."""

from django.core.files.storage import Storage


def files_storage() -> Storage:
    """STORAGES["parley_files"] (config/settings/base.py `files_storage`). Loaded when the models
    are (their FileFields call this): a backend that cannot be loaded stops start-up with one
    line saying what to install."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.files.storage import InvalidStorageError, storages

    try:
        return storages["parley_files"]
    except InvalidStorageError as error:
        raise ImproperlyConfigured(
            f"{error}. Install the package of the storage backend PARLEY_FILES_STORAGE names "
            "(e.g. django-storages[s3]); see docs/deployment.md, 'Files'."
        ) from None
