"""Compressed answers (issue #17): Django's GZipMiddleware (with its BREACH mitigation, random
bytes in the gzip header, Django >= 4.2) for the text answers only: the editor's HTML and
its SVG drawings shrink ~8x; a PNG, a PDF or a zip bundle is compressed already and would
only cost CPU."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = frozenset({"application/json", "application/javascript", "application/xml",
                        "image/svg+xml"})


def compressible(content_type: str) -> bool:
    kind = content_type.partition(";")[0].strip().lower()
    return kind.startswith("text/") or kind in TEXT_TYPES


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        if not compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
