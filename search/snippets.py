"""Snippets as safe HTML: the text escaped, then the engine's match marks made <mark> tags."""

from html import escape

from .engines import MARK_END, MARK_START

# A snippet of a search without words (filters only): the start of the text.
PLAIN_CHARS = 200


def snippet_html(marked: str) -> str:
    """`marked` (matches between MARK_START and MARK_END) as HTML: every character of the
    text escaped, and only balanced <mark></mark> pairs added, whatever marks the text holds."""
    out: list[str] = []
    inside = False
    text: list[str] = []
    for char in marked:
        if char in (MARK_START, MARK_END):
            out.append(escape("".join(text)))
            text = []
            if char == MARK_START and not inside:
                out.append("<mark>")
                inside = True
            elif char == MARK_END and inside:
                out.append("</mark>")
                inside = False
            continue
        text.append(char)
    out.append(escape("".join(text)))
    if inside:
        out.append("</mark>")
    return "".join(out)


def snippet_plain(body: str) -> str:
    """The start of `body`, escaped, with no marks (a search by filters only)."""
    text = " ".join(body.split())
    if len(text) > PLAIN_CHARS:
        text = text[:PLAIN_CHARS].rsplit(" ", 1)[0] + "…"
    return escape(text.replace(MARK_START, "").replace(MARK_END, ""))
