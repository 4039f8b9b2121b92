"""Errors the emulator's service handlers raise: moto turns them into AWS JSON-protocol error responses."""

from __future__ import annotations

from typing import Optional

from moto.core.exceptions import JsonRESTError


class AwsJsonError(JsonRESTError):
    """An error of a JSON-protocol service (Comprehend, KMS).

    moto answers with ``{"__type": error_code, "message": message}``, from which botocore builds a ClientError whose
    ``Error.Code`` is ``error_code``.
    """

    def __init__(self, error_code: str, message: str, status: int = 400) -> None:
        super().__init__(error_code, message)
        # werkzeug's HTTPException, which moto's errors derive from, keeps the HTTP status in ``code``.
        self.code = status


def validation_error(parameter: str, constraint: str, value: Optional[str] = None) -> AwsJsonError:
    """The ValidationException AWS returns when a parameter breaks its model's constraints (long values are left out)."""
    shown = f" '{value}'" if value is not None and len(value) <= 256 else ""
    return AwsJsonError(
        "ValidationException",
        f"1 validation error detected: Value{shown} at '{parameter}' failed to satisfy constraint: {constraint}",
    )
