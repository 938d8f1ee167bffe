"""The API's JSON parser: DRF's, refusing a NUL character anywhere in the document.

PostgreSQL cannot store or compare text holding a NUL, and not every field that reaches a query
is a CharField with DRF's own NUL validator (a slug that looks up a row, a choice, a key of a
JSON object). One check on the parsed document covers them all (core.middleware does the same
for query strings and forms).
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.middleware import NUL_MESSAGE, holds_nul


class NulRefusingJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if holds_nul(data):
            raise ParseError(NUL_MESSAGE)
        return data
