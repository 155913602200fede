"""`parley serve` picks its number of processes: one on the embedded settings, one per core
on a channel layer that spans processes, or what PARLEY_WORKERS / --workers say."""

import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from realtime.management.commands.serve import Command


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
