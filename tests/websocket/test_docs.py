"""docs/protocol.md has a section for every frame type and close code the code declares."""

import re
from pathlib import Path

from realtime.protocol import CLIENT_FRAMES, SERVER_FRAMES, CloseCode

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def section(title: str) -> set[str]:
    """The `### `name`` headings under the `## title` heading."""
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    assert match, f"docs/protocol.md has no '## {title}' section"
    return set(re.findall(r"^### `([^`]+)`", match.group(1), re.M))


def test_every_client_frame_is_documented():
    assert section("Client frames") == set(CLIENT_FRAMES)


def test_every_server_frame_is_documented():
    assert section("Server frames") == set(SERVER_FRAMES)


def test_every_close_code_is_documented():
    assert section("Close codes") == {str(int(code)) for code in CloseCode}


# Error codes: tests/unit/parley/test_error_codes.py checks both documents against one list.


def test_every_room_change_is_documented():
    from parley.events import room_change_types

    assert section(r"Room changes \(version 2\)") == set(room_change_types())


def test_every_frame_of_the_users_own_stream_is_documented():
    from parley.events import user_event_types

    clients = {kind for kind, event in user_event_types().items() if event.client}
    assert section(r"Your own stream \(version 2\)") == clients
