"""drf-spectacular post-processing: every operation documents the one error shape
(propdesk/api/errors.py) for the refusals any request can meet, so that a client, and the
schemathesis run of issue 12, knows every answer the API gives."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error: a code, a message in the request's language and, for bad "
    "input, each field with its messages.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}

ERRORS = {
    "400": "Bad input: nothing was changed",
    "401": "Not logged in, or the token expired or was revoked",
    "403": "This role may not do this",
    "404": "Missing, or outside the caller's communities",
    "409": "The object changed meanwhile, or the action does not fit its state",
    "413": "The body is too large, or the request has too many fields or files: nothing was "
    "changed",
    "415": "The body's Content-Type is missing, or is none the operation reads: nothing was "
    "changed",
    "429": "Too many failed logins: locked for a while",
}
# 409 only where something can change; 415 only where a body is read; 429 only on the token login.
CONFLICT_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code == "409" and method not in CONFLICT_METHODS:
                    continue
                if code == "415" and "requestBody" not in operation:
                    continue
                if code == "429" and path != "/api/auth/token/":
                    continue
                responses.setdefault(code, {"content": ref, "description": description})
    return result
