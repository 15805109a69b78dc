"""The API's JSON renderer: DRF's JSONRenderer, written by orjson.

DRF's renderer runs json.dumps in Python with its encoder's default() for every Decimal
(a page of 100 orders has about 2,600); orjson writes the same bytes several times
faster. Where the two could differ this renderer does what DRF does:
- values orjson does not know (Decimal, dates and times, lazy texts, ...) go to DRF's
  encoder, so they are written as DRF writes them (a Decimal as its float; one under
  1e-4 by Python's repr: orjson would write 0.00001 where json writes 1e-05, the same
  number; a Python float, which no answer of ours holds, is written by orjson);
- U+2028 and U+2029 are escaped, as DRF does;
- what orjson refuses (an int over 64 bits, a non-text dict key, a NaN Decimal, ...)
  and what DRF's settings shape differently (an indent asked for, as the browsable API
  does; ASCII-only, non-compact or non-strict JSON) are rendered by DRF's own renderer.
tests/api/test_renderers.py compares the bytes with DRF's.
"""

import math
from decimal import Decimal

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_drf_default = JSONEncoder().default


def _default(value):
    if isinstance(value, Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("Out of range float values are not JSON compliant")
        if number and abs(number) < 1e-4:
            return orjson.Fragment(repr(number))
        return number
    return _drf_default(value)


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or self.ensure_ascii or not self.compact or not self.strict:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=_default, option=OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in content:
            content = content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                b"\xe2\x80\xa9", b"\\u2029"
            )
        return content
