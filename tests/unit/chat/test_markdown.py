"""Message Markdown (chat/markdown.py): what renders, what never does, mentions and room
references, /me and /shrug, and the plain-text shortcut that must agree with the parser."""

import random
import re
from html import escape
from html.parser import HTMLParser

import pytest

from chat.markdown import (
    GROUP_MENTION_MARK,
    SHRUG,
    References,
    _is_plain,
    _render_markdown,
    action_and_body,
    mentioned_usernames,
    references,
    render,
    room_refs,
)

USERS = {"ada", "bob", "grace.h", "al+1", "mail@ex"}
ROOMS = {"general", "ops", "dev-team"}
MENTION = '<a href="/u/{0}/" class="mention" data-user="{0}" rel="noopener noreferrer">@{0}</a>'
ROOM_REF = '<a href="/chat/{0}/" class="room-ref" rel="noopener noreferrer">#{0}</a>'
LINK = '<a href="{0}" target="_blank" rel="noopener noreferrer">{1}</a>'


def known_users(names: set[str]) -> set[str]:
    return names & USERS


def visible_rooms(slugs: set[str]) -> set[str]:
    return slugs & ROOMS


def md(body: str) -> str:
    return checked(render(body, mentions=known_users, rooms=visible_rooms))


# --- What a browser would make of the output ----------------------------------------------------

ALLOWED = {
    "a": {"href", "title", "class", "data-user", "target", "rel"},
    "blockquote": set(),
    "br": set(),
    "code": {"class"},
    "em": set(),
    "hr": set(),
    "li": set(),
    "ol": {"start"},
    "p": set(),
    "pre": set(),
    "s": set(),
    "span": {"class"},
    "strong": set(),
    "ul": set(),
}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _url_scheme(href: str) -> str | None:
    """The scheme a browser would see in href (WHATWG URL: leading and trailing C0 controls
    and spaces dropped, tabs and newlines removed anywhere), or None for a relative URL."""
    cleaned = re.sub(r"[\t\n\r]", "", href.strip("".join(map(chr, range(0x21)))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def checked(html: str) -> str:
    """html, after asserting that nothing in it can run script, load anything or escape the
    allowlist (attribute values as a browser decodes them: entities resolved)."""
    lowered = html.lower()
    for tag in ("<script", "<img", "<svg", "<iframe", "<style", "<math", "<object", "<embed"):
        assert tag not in lowered, (tag, html)
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED, (tag, html)
        assert set(attrs) <= ALLOWED[tag], (tag, attrs, html)
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", (name, html)
            # "javascript:" may be visible text (what the writer typed), never a value.
            assert "javascript:" not in (value or "").lower(), (name, value, html)
        if tag == "a":
            assert attrs.get("rel") == "noopener noreferrer", html
            # A link out of Parley opens in a new tab; a mention or a room reference in place.
            internal = attrs.get("class") in ("mention", "room-ref")
            assert attrs.get("target") == (None if internal else "_blank"), html
            if "href" in attrs:
                assert _url_scheme(attrs["href"] or "") in {None, "http", "https", "mailto"}, html
    return html


# --- Each supported construct -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("**bold** __bold__", "<p><strong>bold</strong> <strong>bold</strong></p>"),
        ("*italic* _italic_", "<p><em>italic</em> <em>italic</em></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("`a < b`", "<p><code>a &lt; b</code></p>"),
        (
            "```python\nif a < b:\n    pass\n```",
            '<pre><code class="language-python">if a &lt; b:\n    pass\n</code></pre>',
        ),
        ("```\nplain\n```", "<pre><code>plain\n</code></pre>"),
        ("~~~c++\nx++;\n~~~", '<pre><code class="language-c++">x++;\n</code></pre>'),
        ("    indented code", "<pre><code>indented code\n</code></pre>"),
        ("> quoted\n> on", "<blockquote>\n<p>quoted<br>\non</p>\n</blockquote>"),
        (
            "> outer\n>> inner",
            "<blockquote>\n<p>outer</p>\n<blockquote>\n<p>inner</p>\n</blockquote>\n</blockquote>",
        ),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("3) three", '<ol start="3">\n<li>three</li>\n</ol>'),
        ("- a\n- b\n  - c", "<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>"),
        ("* star", "<ul>\n<li>star</li>\n</ul>"),
        ("---", "<hr>"),
        (
            "[docs](https://example.com/docs)",
            "<p>" + LINK.format("https://example.com/docs", "docs") + "</p>",
        ),
        (
            "[mail](mailto:ada@example.com)",
            "<p>" + LINK.format("mailto:ada@example.com", "mail") + "</p>",
        ),
        ("[here](/chat/general/)", "<p>" + LINK.format("/chat/general/", "here") + "</p>"),
        (
            "<https://example.com>",
            "<p>" + LINK.format("https://example.com", "https://example.com") + "</p>",
        ),
        (
            "see https://example.com/a?b=1&c=2.",
            "<p>see "
            + LINK.format("https://example.com/a?b=1&amp;c=2", "https://example.com/a?b=1&amp;c=2")
            + ".</p>",
        ),
        (
            "go to example.com",
            "<p>go to " + LINK.format("http://example.com", "example.com") + "</p>",
        ),
        (
            "ada@example.com",
            "<p>" + LINK.format("mailto:ada@example.com", "ada@example.com") + "</p>",
        ),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
        ("para one\n\npara two", "<p>para one</p>\n<p>para two</p>"),
        ("a &amp; b &copy;", "<p>a &amp; b ©</p>"),
        ("\\*not italic\\*", "<p>*not italic*</p>"),
        ("", ""),
        ("  \n ", ""),
    ],
)
def test_markdown_renders(source, html):
    assert md(source) == html


def test_headings_render_as_bold_paragraphs():
    assert md("# Release\n## notes\nbody") == (
        "<p><strong>Release</strong></p>\n<p><strong>notes</strong></p>\n<p>body</p>"
    )
    assert md("Title\n===") == "<p><strong>Title</strong></p>"


def test_raw_html_is_shown_as_text():
    assert md("<b>bold</b> <!-- hi -->") == "<p>&lt;b&gt;bold&lt;/b&gt; &lt;!-- hi --&gt;</p>"
    assert md("<div>\nblock\n</div>") == "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"


def test_images_become_links_and_never_load():
    assert md("![a cat](https://example.com/cat.png)") == (
        "<p>" + LINK.format("https://example.com/cat.png", "a cat") + "</p>"
    )
    assert md("![](https://example.com/cat.png)") == (
        "<p>" + LINK.format("https://example.com/cat.png", "https://example.com/cat.png") + "</p>"
    )
    assert md('![*x*](https://e.com/y.png "title")') == (
        "<p>" + LINK.format("https://e.com/y.png", "x") + "</p>"
    )


@pytest.mark.parametrize(
    ("info", "attribute"),
    [
        ("python", ' class="language-python"'),
        ("objective-c extra words", ' class="language-objective-c"'),
        ("c_sharp", ' class="language-c_sharp"'),
        ('py" onclick="x', ""),
        ("c#", ""),
        ("<script>", ""),
        ("x" * 33, ""),
        ("&#x70;y", ' class="language-py"'),  # the info string's entities decode first
    ],
)
def test_a_fence_language_outside_letters_digits_and_underscore_plus_minus_gets_no_class(
    info, attribute
):
    assert md(f"```{info}\ncode\n```") == f"<pre><code{attribute}>code\n</code></pre>"


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,hi)",
        "[x](data:image/png;base64,AAAA)",
        "[x](file:///etc/passwd)",
        "[x](ftp://example.com/)",
        "<javascript:alert(1)>",
        "![x](data:image/png;base64,AAAA)",
    ],
)
def test_a_link_to_another_scheme_stays_text(source):
    assert md(source) == f"<p>{escape(source, quote=False)}</p>"


# --- Mentions and room references ---------------------------------------------------------------


def test_known_usernames_are_mentions_and_unknown_ones_text():
    assert md("hi @ada and @nobody") == f"<p>hi {MENTION.format('ada')} and @nobody</p>"


def test_username_characters_and_trailing_punctuation():
    assert md("@grace.h. @al+1++ @mail@ex, @ada-") == (
        f"<p>{MENTION.format('grace.h')}. {MENTION.format('al+1')}++ "
        f"{MENTION.format('mail@ex')}, {MENTION.format('ada')}-</p>"
    )
    assert md("(@ada) @ada's") == f"<p>({MENTION.format('ada')}) {MENTION.format('ada')}'s</p>"


def test_an_at_sign_inside_a_word_is_no_mention():
    assert mentioned_usernames("me@ada x_@ada a.@ada") == set()


def test_group_mentions_need_no_callback():
    assert render("@room @HERE @Here.") == (
        '<p><span class="mention mention-group">@room</span> '
        '<span class="mention mention-group">@here</span> '
        '<span class="mention mention-group">@here</span>.</p>'
    )
    assert references("@room @here @ada") == References(
        users=frozenset({"ada"}), groups=frozenset({"room", "here"}), rooms=frozenset()
    )


def test_visible_rooms_are_references_and_others_text():
    assert md("see #general, #secret and #dev-team-") == (
        f"<p>see {ROOM_REF.format('general')}, #secret and {ROOM_REF.format('dev-team')}-</p>"
    )


def test_a_hash_inside_a_word_or_before_capitals_is_no_reference():
    assert room_refs("C# issue#4 ##general #General #ops") == {"ops"}


def test_nothing_inside_code_or_links_mentions_or_refers():
    body = (
        "`@ada #general`\n\n```\n@bob #ops\n```\n\n    @ada indented\n\n"
        "[@ada #general](https://example.com) https://example.com/@bob#ops ![@ada](https://e.com/i.png)"
    )
    assert mentioned_usernames(body) == set()
    assert room_refs(body) == set()
    html = md(body)
    assert 'class="mention"' not in html and "room-ref" not in html


def test_mentions_inside_emphasis_quotes_lists_and_headings_count():
    assert mentioned_usernames("**@ada** _@bob_\n> @grace.h\n- @al+1\n# @nobody") == {
        "ada",
        "bob",
        "grace.h",
        "al+1",
        "nobody",
    }
    assert md("**@ada**") == f"<p><strong>{MENTION.format('ada')}</strong></p>"


def test_each_callback_is_asked_once_with_every_candidate():
    asked: list[tuple[str, set[str]]] = []

    def users(names):
        asked.append(("users", set(names)))
        return ["ada", "somebody-not-asked-about"]  # any iterable; extras are ignored

    def rooms(slugs):
        asked.append(("rooms", set(slugs)))
        return set()

    html = render("@ada @bob @ada #ops #general `@carol`", mentions=users, rooms=rooms)
    assert sorted(asked) == [("rooms", {"ops", "general"}), ("users", {"ada", "bob"})]
    assert html.count('class="mention"') == 2 and "somebody" not in html


def test_callbacks_are_not_asked_when_there_is_nothing_to_resolve():
    def refuse(_names):
        raise AssertionError("asked")

    assert render("**hi** `@ada` #", mentions=refuse, rooms=refuse) == (
        "<p><strong>hi</strong> <code>@ada</code> #</p>"
    )


def test_without_callbacks_nobody_is_mentioned():
    assert render("@ada #general") == "<p>@ada #general</p>"


def test_a_name_longer_than_a_username_can_be_is_no_candidate():
    assert mentioned_usernames("@" + "a" * 150 + " @" + "b" * 151) == {"a" * 150}
    assert room_refs("#" + "a" * 64 + " #" + "b" * 65) == {"a" * 64}


# --- /me and /shrug -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "result"),
    [
        ("/me waves", (True, "waves")),
        ("/me  *dances*\nwildly", (True, "*dances*\nwildly")),
        ("/me", (True, "")),
        ("/meeting at 5", (False, "/meeting at 5")),
        ("/ME shouts", (False, "/ME shouts")),
        ("say /me", (False, "say /me")),
        ("/shrug", (False, "¯\\\\\\_(ツ)\\_/¯")),
        ("/shrug no idea ", (False, "no idea ¯\\\\\\_(ツ)\\_/¯")),
        ("/shrugs", (False, "/shrugs")),
        ("plain", (False, "plain")),
    ],
)
def test_action_and_body(body, result):
    assert action_and_body(body) == result


def test_the_shrug_renders_with_its_backslash_and_no_emphasis():
    assert SHRUG == "¯\\_(ツ)_/¯"
    assert md(action_and_body("/shrug")[1]) == f"<p>{SHRUG}</p>"
    assert md(action_and_body("/shrug **fine**")[1]) == f"<p><strong>fine</strong> {SHRUG}</p>"


# --- The plain-text shortcut --------------------------------------------------------------------

PLAIN_LOOKING = [
    "ok",
    "sounds good, see you at the standup tomorrow",
    "Sounds good. I will look at it after lunch; then we talk?",
    "use the blue one, e.g. this one",
    "it costs $5 (or 50%) ^ {braces} | pipes = fine",
    "she said \"hi\" and 'bye'",
    "a - b + c = d",
    "C++ and F rock!",
    "5 minutes late",
    "3.14 is pi",
    "1. first",
    "2) second",
    "- dash",
    "+ plus",
    "= equals",
    "what?! really!!!",
    "Привет, как дела?",
    "日本語のメッセージです。",
    "مرحبا بالعالم",
    "שלום \u202eevil\u202c text",
    "emoji 🎉🔥 and zwj 👩‍💻",
    "zero\u200bwidth\ufeffbom",
    "ideographic\u3000space",
    "form\x0cfeed and \x0bvtab and \x1bescape",
    "line\u2028separator",
    "nbsp\xa0inside",
    "tab\tinside",
    "trailing space ",
    " leading space",
    "example.com",
    "see www.example.com",
    "http://example.com",
    "ftp://x",
    "localhost:8000",
    "//localhost",
    "mailto:a",
    "1.2.3.4",
    "xn--80ak6aa92e.com",
    "пример.рф",
    "ratio 3:2",
    "and/or",
    "...",
    "a.b",
    "A.I.",
    "\x00",
    "a\ud800b",
]


@pytest.mark.parametrize("body", PLAIN_LOOKING)
def test_the_shortcut_agrees_with_the_parser(body):
    assert render(body) == _render_markdown(body)


def test_everyday_lines_take_the_shortcut():
    for body in PLAIN_LOOKING[:20]:
        if body[0] not in "-+=123" and body != "3.14 is pi":
            assert _is_plain(body), body
    for body in ["example.com", "http://x", "@ada", "#general", "a\nb", "*x*", "- x", "1. x"]:
        assert not _is_plain(body), body


def test_the_shortcut_agrees_with_the_parser_on_random_text():
    """Random bodies from characters and fragments near every edge of the shortcut's test;
    every one it takes must render exactly as the parser would."""
    rng = random.Random(20260101)
    pieces = [
        *"abcXYZ019 .,;:!?'\"()/-+=%$^{}|éßЖ日本😀",
        *"\u202e\u2028\x0b\x0c\x1f\x7f\x85\ufeff\u200b\u3000\xa0",
        *["http", "www.", ".com", "1.", "2)", "- ", "x.org", "://", "//", "mailto:", ".рф"],
        *["localhost", "xn--", "127.0.0.1", "e.g.", "ftp:", ".io", "&", "\t"],
    ]
    taken = 0
    for _ in range(20_000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
        if _is_plain(body):
            taken += 1
            assert render(body) == _render_markdown(body), repr(body)
    assert taken > 2_000  # the comparison covered the shortcut, not just the parser


# --- Hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<style>*{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "*<span style=color:red>x</span>*",
    "<a href=javascript:alert(1)>x</a>",
    "<!-- comment --><b>x</b>",
    "<!--><script>alert(1)</script>-->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;script&colon;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java\nscript:alert(1))",
    "[x](javascript%3Aalert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml,<svg onload=alert(1)>)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "javascript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.gif)",
    '![x" onerror="alert(1)](https://evil.example/y.png)',
    '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
    '[x](https://example.com/"><script>alert(1)</script>)',
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: https://ok.example 'a\" onclick=\"x'",
    '<http://a.example/" onmouseover="alert(1)>',
    "www.example.com/<script>alert(1)</script>",
    "http://example.com/?q=<img src=x onerror=alert(1)>",
    '[click](https://example.com"onclick="alert(1))',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "```\n<script>alert(1)</script>\n```",
    '```js" onmouseover="alert(1)\nx\n```',
    "```<img src=x onerror=alert(1)>\nx\n```",
    "```\nan unclosed fence <script>alert(1)</script>\n@ada #general",
    "`<script>` `@ada` `#general`",
    "@ada<img src=x onerror=alert(1)>",
    '#general" onclick="alert(1)',
    '@ada" onclick="alert(1)',
    "@" + "a" * 200,
    "\u202eevil\u202c [x](https://a.example/\u202e)",
    "\u200b\ufeff\u2028\u2029\x0b\x0c\x1b[31mred\x1b[0m",
    "\x00<script>alert(1)</script>",
    "lone \ud800 surrogate <b>",
    "> " * 1000 + "<script>alert(1)</script>",
    ">" * 1000 + "[x](javascript:alert(1))",
    "a" * 100_000,
    "<script>" * 12_500,
    "[x](javascript:alert(1)) " * 4_000,
    "[" * 5_000 + "x" + "](javascript:alert(1))" * 5_000,
    "*" * 10_000 + "x" + "*" * 10_000,
    "@a " * 10_000,
    "`" * 100_000,
]


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_renders_safely_and_deterministically(body):
    def everyone(names):
        return names

    first = render(body, mentions=everyone, rooms=everyone)
    checked(first)
    assert render(body, mentions=everyone, rooms=everyone) == first


def test_there_are_enough_hostile_cases():
    assert len(HOSTILE) >= 40


def test_a_disguised_scheme_is_at_worst_a_relative_link():
    # The parser percent-encodes the decoded tab, so no browser sees a scheme in it.
    html = md("[x](java&#x09;script:alert(1))")
    assert html == "<p>" + LINK.format("java%09script:alert(1)", "x") + "</p>"
    assert _url_scheme("java%09script:alert(1)") is None


# --- Deep nesting ---------------------------------------------------------------------------

# CommonMark's maxNesting (20) stops the parser descending: what lies deeper is not rendered,
# so recursion depth and work stay bounded whatever the input.


@pytest.mark.parametrize(
    ("body", "tag"),
    [
        (">" * 5_000 + " deep", "<blockquote>"),
        ("> " * 5_000 + "deep", "<blockquote>"),
        ("* " * 5_000 + "deep", "<ul>"),
        ("- " * 5_000 + "deep", "<ul>"),
        ("1. " * 5_000 + "deep", "<ol>"),
        ("> - " * 2_500 + "deep", "<blockquote>"),
        ("\n".join(">" * depth + " x" for depth in range(1, 400)), "<blockquote>"),
        ("\n".join("  " * depth + "* x" for depth in range(300)), "<ul>"),
    ],
)
def test_deep_nesting_completes_and_is_cut_off(body, tag):
    html = checked(render(body))
    assert 0 < html.count(tag) <= 20


def test_deep_inline_nesting_completes():
    # A link cannot hold a link: only the innermost of 5000 is one.
    assert checked(render("[" * 5_000 + "x" + "](/x)" * 5_000)).count("<a ") == 1
    # Emphasis is flat in the parser's tokens (no recursion), so it may nest as deep as written.
    assert checked(render("**" * 5_000 + "x" + "**" * 5_000)).count("<strong>") == 5_000


GROUP_CASES = [
    "hi @room",
    "@here.",
    "`@here` in code",
    "[@room](https://example.com)",
    "x @hereafter",
    "email room@here.com",
    '<span class="mention mention-group">@room</span>',
    "> quoted @room\n\n- a list @here",
]


@pytest.mark.parametrize("body", GROUP_CASES + HOSTILE, ids=range(len(GROUP_CASES + HOSTILE)))
def test_the_html_marks_a_group_mention_exactly_when_the_body_has_one(body):
    """The post path reads `@room`/`@here` from the HTML (GROUP_MENTION_MARK) instead of
    parsing the body twice: the two must agree, raw HTML in a body included."""
    assert (GROUP_MENTION_MARK in render(body)) == bool(references(body).groups)
