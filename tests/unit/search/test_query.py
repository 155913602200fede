"""The search query language: words, phrases and filters, and clear refusals."""

from datetime import date

import pytest

from parley.errors import BadRequest
from search.query import TERMS_MAX, query_parse


def test_words_and_a_quoted_phrase():
    query = query_parse('deploy "release notes"  friday')
    assert query.words == ("deploy", "friday")
    assert query.phrases == ("release notes",)
    assert query.text


def test_every_filter():
    query = query_parse(
        "in:#Ops in:general in:@bob from:@ada has:link has:file is:thread "
        "before:2026-02-01 after:2026-01-01 word"
    )
    assert query.rooms == ("ops", "general")
    assert query.dms == ("bob",)
    assert query.authors == ("ada",)
    assert query.has == {"link", "file"}
    assert query.is_ == {"thread"}
    assert (query.before, query.after) == (date(2026, 2, 1), date(2026, 1, 1))
    assert query.words == ("word",)


def test_filters_alone_are_a_search():
    query = query_parse("from:ada")
    assert not query.text and not query.empty and query.authors == ("ada",)


def test_filter_names_ignore_case():
    assert query_parse("FROM:@ada").authors == ("ada",)


def test_colons_that_are_not_filters_stay_words():
    query = query_parse("12:30 https://example.com/x :smile:")
    assert query.words == ("12:30", "https://example.com/x", ":smile:")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_query_is_refused(text):
    with pytest.raises(BadRequest, match="Type something"):
        query_parse(text)


def test_an_unknown_filter_is_refused_with_a_hint_to_quote_it():
    with pytest.raises(BadRequest, match=r"Unknown filter note:.*\"note:important\""):
        query_parse("note:important")


@pytest.mark.parametrize("text", ["has:pdf", "is:pinned"])
def test_an_unknown_has_or_is_value_is_refused(text):
    with pytest.raises(BadRequest, match="Unknown filter"):
        query_parse(text)


@pytest.mark.parametrize(
    "text", ["before:yesterday", "after:2026-13-01", "before:2026-1-1", "after:"]
)
def test_a_bad_date_is_refused(text):
    with pytest.raises(BadRequest, match="YYYY-MM-DD"):
        query_parse(text)


@pytest.mark.parametrize("text", ["in:", "from:@", "in:#"])
def test_a_filter_without_a_name_is_refused(text):
    with pytest.raises(BadRequest, match="wants a name"):
        query_parse(text)


@pytest.mark.parametrize("text", ['"', "*", '""', "( ) -"])
def test_punctuation_alone_matches_nothing_without_an_error(text):
    query = query_parse(text)
    assert query.dropped and query.empty


def test_operators_of_the_engines_are_plain_words():
    query = query_parse("AND OR NEAR( NOT x* ^a {a b}")
    assert query.words[:3] == ("AND", "OR", "NEAR(")


def test_an_unclosed_quote_runs_to_the_end():
    assert query_parse('say "hello there').phrases == ("hello there",)


def test_too_many_terms_are_refused():
    with pytest.raises(BadRequest, match="at most"):
        query_parse(" ".join(f"w{n}" for n in range(TERMS_MAX + 1)))


def test_too_long_a_query_is_refused():
    with pytest.raises(BadRequest, match="at most"):
        query_parse("a" * 501)
