"""The OpenAPI schema says what the API really does: tests/test_fuzz.py holds every response to it
(schemathesis), so the error responses and the limits of text fields are written into it here."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


class QuanzeAutoSchema(AutoSchema):
    """The schema states what the text fields really accept, so that the schema and the server agree: never a
    NUL character (DRF refuses it), and, where a field may not be blank, something besides whitespace (DRF
    trims it first)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            type(field) is serializers.CharField
            and direction == "request"
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = NOT_BLANK if field.trim_whitespace and not field.allow_blank else NO_NUL
        return schema


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every failure has this body: a stable code, a message, and per-field details where a field is at fault.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "message"],
}
ERRORS = {
    "400": "Invalid input: `details` names each field and why.",
    "401": "No credentials, or they are not valid.",
    "403": "Authenticated, but the power list or the role does not allow it (`details` names the item).",
    "404": "Missing, or not visible to the caller: the two are indistinguishable on purpose.",
    "405": "The method is not allowed here.",
    "406": "The requested media type cannot be served.",
}
WRITE_ERRORS = {
    "409": "The record changed since it was read, or its state does not allow the step.",
    "415": "The body is not JSON.",
}


def document_errors(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents the error responses it can give,
    all with the one error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, **(WRITE_ERRORS if method in ("post", "put", "patch", "delete") else {})}
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
