import pytest

from parley import events


@pytest.fixture
def published(monkeypatch):
    """published(kind): the events of class `kind` published since the test began (a backend
    that keeps them in a list, in place of the fan-out)."""
    sent: list[events.Event] = []
    monkeypatch.setattr(
        events, "backend", lambda: type("B", (), {"publish": lambda self, e: sent.append(e)})()
    )
    return lambda kind: [e for e in sent if isinstance(e, kind)]


@pytest.fixture
def revoked(published):
    """revoked(): the (user id, credential) of every revocation published since the test began."""
    return lambda: [(e.user_id, e.credential) for e in published(events.CredentialsRevoked)]
