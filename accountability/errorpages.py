"""The error pages are the product's own, in Chinese first: ``templates/403.html`` (with the reason the refusal
gave), ``404.html`` and ``500.html`` (standalone: it must render when nothing else does).

With DEBUG on (``make run``), Django answers an unknown address or a raised ``Http404`` with its technical page,
which lists every URL pattern; a pilot court walks the demo that way, so pages get the product's 404 there too.
The API keeps its one error body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accountability.api import api_not_found

#: Words only Django's technical 404 page contains.
TECHNICAL_MARK = b"because you have <code>DEBUG = True</code>"


class ProductNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and _is_technical(response):
            return api_not_found(request, None)
        return response


def _is_technical(response: HttpResponse) -> bool:
    return not getattr(response, "streaming", False) and TECHNICAL_MARK in response.content
