"""Errors the emulator's service handlers raise: moto turns them into AWS JSON-protocol error responses."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

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


def shown_value(value: object) -> str:
    """How AWS shows a bad value in a ValidationException: `` 'x'``, `` null``, or nothing when it is long."""
    if value is None:
        return " null"
    text = value if isinstance(value, str) else str(value)
    return f" '{text}'" if len(text) <= 256 else ""


def validation_error(parameter: str, constraint: str, value: Optional[str] = None) -> AwsJsonError:
    """The ValidationException AWS returns when a parameter breaks its model's constraints (value None: not shown)."""
    return validation_errors([(parameter, constraint, "" if value is None else shown_value(value))])


def validation_errors(errors: Sequence[Tuple[str, str, str]]) -> AwsJsonError:
    """One ValidationException for ``errors``, each (parameter, constraint, :func:`shown_value` of the value), worded
    like AWS's: ``2 validation errors detected: Value 'x' at 'a' failed to satisfy constraint: ...; Value null at ...``."""
    described = [f"Value{shown} at '{parameter}' failed to satisfy constraint: {constraint}" for parameter, constraint, shown in errors]
    count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
    return AwsJsonError("ValidationException", f"{count}: {'; '.join(described)}")
