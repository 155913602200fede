"""The embedded mode's layer cleans expired group memberships at most once a second."""

import time

from realtime import memory_layer
from realtime.memory_layer import InMemoryLayer


def test_expired_memberships_are_cleaned_at_most_once_a_second(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(memory_layer.time, "monotonic", lambda: clock[0])
    layer = InMemoryLayer(group_expiry=10)
    ancient = int(time.time()) - 3600  # joined an hour ago: past group_expiry

    layer.groups["room.1"] = {"hub!a": ancient}
    layer._clean_expired()
    assert "hub!a" not in layer.groups["room.1"]

    layer.groups["room.1"]["hub!b"] = ancient
    clock[0] = 100.5
    layer._clean_expired()  # within the second: no walk
    assert "hub!b" in layer.groups["room.1"]

    clock[0] = 101.1
    layer._clean_expired()
    assert "hub!b" not in layer.groups["room.1"]
