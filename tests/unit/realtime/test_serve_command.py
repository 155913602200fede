"""`parley serve` picks its number of processes: one on the embedded settings, one per core
on a channel layer that spans processes, or what PARLEY_WORKERS / --workers say."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from realtime.management.commands.serve import Command
from realtime.startup import data_location, start_message


def test_one_process_on_the_in_memory_layer(monkeypatch):
    monkeypatch.delenv("PARLEY_WORKERS", raising=False)
    assert Command.default_workers(in_memory=True) == 1


def test_one_process_per_core_on_a_shared_layer(monkeypatch):
    monkeypatch.delenv("PARLEY_WORKERS", raising=False)
    assert Command.default_workers(in_memory=False) == len(os.sched_getaffinity(0))


def test_parley_workers_decides(monkeypatch):
    monkeypatch.setenv("PARLEY_WORKERS", "3")
    assert Command.default_workers(in_memory=False) == 3
    monkeypatch.setenv("PARLEY_WORKERS", "many")
    with pytest.raises(CommandError, match="PARLEY_WORKERS must be a number"):
        Command.default_workers(in_memory=False)


def test_several_processes_need_a_shared_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with pytest.raises(CommandError, match="needs a channel layer shared between processes"):
        call_command("serve", "--workers", "2")


def test_the_start_line_says_where_the_data_lives_and_how_to_sign_in(settings):
    settings.PARLEY_OPEN_SIGNUP = True
    message = start_message(url="http://127.0.0.1:8000/", workers=1)

    assert f"Data:     {data_location(settings.DATABASES['default'])}" in message
    assert "sign up at http://127.0.0.1:8000/accounts/signup/" in message
    assert "-m parley createuser NAME" in message
    assert "Ctrl-C" in message
    assert "InMemoryChannelLayer" not in message and "process(es)" not in message


def test_without_open_signup_the_start_line_says_to_make_a_user(settings):
    settings.PARLEY_OPEN_SIGNUP = False
    message = start_message(url="http://127.0.0.1:8000/", workers=1)

    assert "sign up" not in message
    assert "-m parley createuser NAME" in message


def test_embedded_the_data_is_the_folder_of_the_sqlite_file():
    database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path("/srv/parley/data/parley.sqlite3"),
    }
    assert data_location(database).startswith("/srv/parley/data/ holds it all: the SQLite database")


def test_on_postgresql_the_data_is_the_database_named():
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "parley",
        "HOST": "db.internal",
        "PORT": 5433,
    }
    assert data_location(database) == "the PostgreSQL database 'parley' at db.internal:5433"
