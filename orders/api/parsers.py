"""JSON in, with numbers parsed as Decimal so money never passes through a float."""

import codecs
import json
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; Python's json would accept them.
    raise ValueError(f"{name} is not valid JSON")


class DecimalJSONParser(JSONParser):
    """Parse JSON with `parse_float=Decimal`: 12.10 arrives as Decimal('12.10')."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"The body is not valid JSON: {error}") from None
        except RecursionError:
            raise ParseError("The body is not valid JSON: it is nested too deeply.") from None
