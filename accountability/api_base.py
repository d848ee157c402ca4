"""Shared DRF pieces: one error body for every failure, cursor pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accountability.errors import DomainError


class DefaultCursorPagination(CursorPagination):
    """Stable cursor paging: cheap at any depth, unlike OFFSET on 10 M rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"code": "validation_failed", "message": "Invalid input.", "details": details},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = {"code": "validation_failed", "message": "Invalid input.", "details": data}
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        response.data = {"code": getattr(detail, "code", "error"), "message": str(detail)}
    return response
