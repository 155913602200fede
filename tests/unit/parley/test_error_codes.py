"""One list of error codes (parley.errors.ErrorCode), each documented wherever it can be sent:
docs/protocol.md's table for the WebSocket endpoints, docs/api.md's for the REST API."""

import re
from pathlib import Path

from api.errors import STATUS
from parley import errors
from parley.errors import REST_ONLY, WEBSOCKET_ONLY, ErrorCode, ParleyError

ROOT = Path(__file__).resolve().parents[3]
PRODUCT = ["accounts", "api", "chat", "parley", "realtime", "web", "config"]


def table_codes(doc: str) -> set[str]:
    """The codes in the document's error table: the rows of the Markdown table whose header
    row names a `code` column (`| code | meaning |`, `| status | code | when |`)."""
    text = (ROOT / "docs" / doc).read_text()
    table = re.search(r"^\|[^\n]*\bcode \|[^\n]*\n((?:\|[^\n]*\n)+)", text, re.M)
    assert table, f"docs/{doc} has no error table"
    return set(re.findall(r"^\|(?: \d{3} \|)? `([a-z_]+)` \|", table.group(1), re.M))


def test_every_code_the_websocket_endpoints_send_is_in_docs_protocol_md():
    assert table_codes("protocol.md") == set(ErrorCode) - REST_ONLY


def test_every_code_the_rest_api_sends_is_in_docs_api_md_with_its_status():
    assert set(STATUS) == set(ErrorCode) - WEBSOCKET_ONLY
    text = (ROOT / "docs" / "api.md").read_text()
    for code, status in STATUS.items():
        assert re.search(rf"^\| {status} \| `{code}` \|", text, re.M), (
            f"docs/api.md: {status} {code}"
        )
    assert table_codes("api.md") == set(STATUS)


def test_every_domain_error_has_a_code_of_the_list():
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, ParleyError)
    ]
    assert {cls.code for cls in classes} <= set(ErrorCode)


def test_no_product_code_spells_an_error_code_by_hand():
    """Codes are sent as ErrorCode members, so that this list is all there is."""
    spelled = re.compile(r"""code\s*=\s*["'][a-z_]+["']|["']code["']\s*:\s*["'][a-z_]+["']""")
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        for line in path.read_text().splitlines()
        if spelled.search(line) and "ValidationError(" not in line  # Django's own codes
    ]
    assert not found
