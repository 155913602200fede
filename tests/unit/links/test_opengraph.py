"""A page's card: OpenGraph first, then <title> and meta description; text only, capped."""

from links.opengraph import MAX_DESCRIPTION, MAX_TITLE, decode, opengraph_parse

URL = "https://example.com/blog/post"


def test_opengraph_fields_are_read_as_plain_text():
    html = """<html><head><title>Fallback</title>
    <meta property="og:title" content="Ship &amp; tell">
    <meta property="og:description" content="  Two
      lines <b>bold</b>  ">
    <meta property="og:site_name" content="Example">
    <meta property="og:image" content="https://cdn.example.com/a.png">
    </head></html>"""
    card = opengraph_parse(html, url=URL)
    assert card.title == "Ship & tell"
    assert card.description == "Two lines <b>bold</b>"  # text: shown as text, never as HTML
    assert card.site_name == "Example"
    assert card.image == "https://cdn.example.com/a.png"


def test_title_and_meta_description_are_the_fallbacks():
    html = "<head><title> Just  a title </title><meta name=description content='About it'></head>"
    card = opengraph_parse(html, url=URL)
    assert (card.title, card.description, card.site_name, card.image) == (
        "Just a title",
        "About it",
        "",
        "",
    )


def test_a_relative_image_is_resolved_against_the_final_url():
    html = '<meta property="og:title" content="t"><meta property="og:image" content="../i/p.jpg">'
    assert opengraph_parse(html, url=URL).image == "https://example.com/i/p.jpg"
    html = (
        '<meta property="og:title" content="t"><meta property="og:image" content="//cdn.x/p.jpg">'
    )
    assert opengraph_parse(html, url=URL).image == "https://cdn.x/p.jpg"


def test_an_image_that_is_not_http_is_dropped():
    for image in ("javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd"):
        html = f'<meta property="og:title" content="t"><meta property="og:image" content="{image}">'
        assert opengraph_parse(html, url=URL).image == ""


def test_lengths_are_capped_and_control_characters_dropped():
    html = (
        f'<meta property="og:title" content="{"x" * 5000}">'
        f'<meta property="og:description" content="{"y" * 5000}\u202e\x07">'
    )
    card = opengraph_parse(html, url=URL)
    assert len(card.title) == MAX_TITLE and card.title.endswith("…")
    assert len(card.description) == MAX_DESCRIPTION
    assert "\u202e" not in card.description and "\x07" not in card.description


def test_meta_in_the_body_is_not_read_and_a_page_without_title_has_no_card():
    html = '<html><head></head><body><meta property="og:title" content="late"></body></html>'
    assert not opengraph_parse(html, url=URL)


def test_broken_markup_does_not_raise():
    for html in ("<meta property=", "<title>unclosed", "<<<>>>", "<![CDATA[", ""):
        opengraph_parse(html, url=URL)


def test_the_charset_comes_from_the_header_then_the_page_then_utf8():
    text = "<title>café</title>"
    assert decode(text.encode("latin-1"), "iso-8859-1") == text
    page = b'<meta charset="iso-8859-1"><title>caf\xe9</title>'
    assert "café" in decode(page, None)
    assert decode("café".encode(), None) == "café"
    assert decode(b"caf\xe9", "no-such-charset") == "caf\ufffd"
