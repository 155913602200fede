"""How the REST API reads a request: JSON bodies with orjson and query strings, each refusing
text no database column should hold (parley/text.py), the same on SQLite and PostgreSQL."""

import orjson
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.types import DictStrAny

from parley.text import json_check_storable


class StorableJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        # orjson refuses lone surrogates ("\ud800"), which Python's json would let through.
        # ninja answers any error raised here with a 400 (api/errors.py keeps this message).
        return json_check_storable(orjson.loads(request.body))

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        return json_check_storable(super().parse_querydict(data, list_fields, request))
