"""Shared DRF pieces: one error body for every failure, strict cursor pagination and filters."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accountability.errors import DomainError, NotFound, ValidationFailed
from accountability.models import Officer
from accountability.selectors import officer_for_user


class DefaultCursorPagination(CursorPagination):
    """Stable cursor paging: cheap at any depth, unlike OFFSET on 10 M rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_page_size(self, request) -> int:
        """A page size that is not a whole number from 1 to the maximum is refused with 400, not quietly
        replaced by the default: the caller learns that the request was wrong."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or 1/0); anything else is an error, where Django's field reads it as "no filter"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise DjangoValidationError("Enter true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }

    def is_valid(self) -> bool:
        """A choice, number or yes/no filter given with no value (``?grade=``) is an error too: leave the
        parameter out for "any". (An empty text filter is a text like any other.)"""
        valid = super().is_valid()
        for name, field in self.filters.items():
            if self.data.get(name) == "" and not isinstance(field, django_filters.CharFilter):
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


class StrictFilterBackend(DjangoFilterBackend):
    """Filters generated from ``filterset_fields`` refuse values they cannot read (400 naming the parameter)."""

    filterset_base = StrictFilterSet


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


def acting_officer(request: Any, *, refusal: Exception | None = None) -> Officer:
    """The officer behind an API request; a user who is not one gets ``refusal`` (by default a plain 404)."""
    officer = officer_for_user(request.user)
    if officer is None:
        raise refusal if refusal is not None else NotFound(_("Not found."))
    return officer


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The serializer's validated data, or one structured 400 naming every field at fault."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ValidationFailed(_("Invalid input."), details=serializer.errors)
    return serializer.validated_data
