"""/emoji.json, the reaction picker's list: every emoji on it is one the server accepts as a
reaction, the picker's default set is on it, and browsers may cache it."""

import json
import re

from django.test import Client

from chat.services.reactions import emoji_clean
from tests.browser.server import REPO


def emoji_list() -> list[list[str]]:
    response = Client().get("/emoji.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_every_emoji_offered_is_a_reaction_the_server_takes_as_it_is(db):
    rows = emoji_list()
    assert len(rows) > 1500
    for char, name, aliases in rows:
        assert emoji_clean(char) == char  # fully qualified: stored as offered
        assert name and name == name.strip() and ":" not in name
        assert isinstance(aliases, str)
    assert len({row[0] for row in rows}) == len(rows)


def test_names_and_aliases_are_searchable_words(db):
    rows = {char: (name, aliases) for char, name, aliases in emoji_list()}
    assert rows["👍"] == ("thumbs up", "thumbsup +1")
    assert rows["🎉"][0] == "party popper"
    assert "👍🏽" not in rows  # skin tones are not offered one by one
    assert "🫨" in rows  # shaking face, Emoji 15.0
    assert "🙂\u200d↔️" not in rows  # head shaking horizontally, Emoji 15.1: not drawn widely yet


def test_the_pickers_default_emoji_are_on_the_list(db):
    source = (REPO / "web" / "static" / "parley" / "picker.js").read_text()
    defaults = re.search(r"DEFAULT_EMOJI = (\[.*?\]);", source).group(1)
    offered = {row[0] for row in emoji_list()}
    assert set(json.loads(defaults)) <= offered


def test_the_list_is_cached_and_revalidated(db):
    first = Client().get("/emoji.json")
    assert first["Cache-Control"] == "public, max-age=86400"
    again = Client().get("/emoji.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert Client().post("/emoji.json").status_code == 405
