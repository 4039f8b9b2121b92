"""Fault injection: answer a seeded random share of AWS calls with a throttling or internal error.

A configuration is ``{"seed": 7, "rate": 0.3, "operations": ["comprehend:PutResourcePolicy", "kms:*"], "errors": ...}``:

* ``rate`` (0..1, default 0 = off): the chance that a targeted call fails.
* ``seed`` (integer, optional): seeds the random generator, so the same sequence of calls fails the same way.
  The generator is drawn from only for targeted calls: one draw to decide, one more to pick the error code.
* ``operations`` (default: all): ``service:Operation`` patterns with ``*`` / ``?`` wildcards, case-insensitive.
* ``errors`` (default: per service, see DEFAULT_ERRORS): a list of error codes for every service, or a mapping from
  service to a list of codes; a service the mapping leaves out keeps its defaults.

Faults are rendered as the protocol's error response, so botocore raises a ClientError with that Error.Code:
JSON protocols (Comprehend, KMS) get ``{"__type": CODE, "message": ...}``, query protocols (STS, IAM) an XML
``ErrorResponse``.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

from ._policy import glob_match

DEFAULT_ERRORS: Dict[str, Tuple[str, ...]] = {
    "comprehend": ("ThrottlingException", "TooManyRequestsException", "InternalServerException"),
    "kms": ("ThrottlingException", "KMSInternalException"),
    "sts": ("Throttling", "ServiceFailure"),
    "iam": ("Throttling", "ServiceFailure"),
}
# For services DEFAULT_ERRORS doesn't list, by protocol.
FALLBACK_ERRORS: Dict[str, Tuple[str, ...]] = {"json": ("ThrottlingException", "InternalFailure"), "query": ("Throttling", "ServiceFailure")}
# HTTP status of the error codes that aren't plain client errors (400), as the botocore service models give them.
ERROR_STATUS = {
    "InternalServerException": 500,
    "KMSInternalException": 500,
    "InternalFailure": 500,
    "ServiceFailure": 500,
    "ServiceUnavailable": 503,
    "TooManyRequestsException": 429,
}


@dataclass(frozen=True)
class Fault:
    """An error to answer a call with."""

    code: str
    status: int

    @property
    def message(self) -> str:
        return "Rate exceeded" if self.status in (400, 429) else "We encountered an internal error. Please try again."

    def render(self, protocol: str) -> Tuple[str, List[Tuple[str, str]], bytes]:
        """The WSGI status line, headers and body of this error in ``protocol`` ("json" or "query")."""
        request_id = str(uuid.uuid4())
        if protocol == "json":
            body = json.dumps({"__type": self.code, "message": self.message}).encode("utf-8")
            content_type = "application/x-amz-json-1.1"
        else:
            kind = "Sender" if self.status < 500 else "Receiver"
            body = (
                f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            ).encode("utf-8")
            content_type = "text/xml"
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", self.code)]
        return f"{self.status} {HTTPStatus(self.status).phrase}", headers, body


def _strings(value: Any, name: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"{name} must be a list of non-empty strings")
    return value


class FaultInjector:
    """The fault configuration and its random generator (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config: Dict[str, Any] = {}
        self._operations: Optional[List[str]] = None
        self._errors: Dict[str, Sequence[str]] = {}
        self._default_errors: Optional[Sequence[str]] = None
        self._rate = 0.0
        self._random = random.Random()
        self.configure({})

    def configure(self, spec: Mapping[str, Any]) -> Dict[str, Any]:
        """Replace the configuration (``{}`` or rate 0 turns faults off); ValueError if ``spec`` is invalid."""
        unknown = set(spec) - {"seed", "rate", "operations", "errors"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        rate, seed = spec.get("rate", 0), spec.get("seed")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError("rate must be a number between 0 and 1")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("seed must be an integer")
        operations = None if spec.get("operations") is None else _strings(spec["operations"], "operations")
        errors = spec.get("errors")
        default_errors: Optional[Sequence[str]] = None
        per_service: Dict[str, Sequence[str]] = {}
        if isinstance(errors, dict):
            per_service = {str(service).lower(): _strings(codes, f"errors[{service}]") for service, codes in errors.items()}
        elif errors is not None:
            default_errors = _strings(errors, "errors")
        with self._lock:
            self._rate = float(rate)
            self._random = random.Random(seed)
            self._operations = operations
            self._errors = per_service
            self._default_errors = default_errors
            self._config = {"rate": self._rate, "seed": seed, "operations": operations, "errors": errors}
            return self.describe()

    def describe(self) -> Dict[str, Any]:
        """The current configuration, as given."""
        return dict(self._config)

    def _targets(self, service: str, operation: str) -> bool:
        if self._operations is None:
            return True
        name = f"{service}:{operation}"
        return any(glob_match(pattern, name, ignore_case=True) for pattern in self._operations)

    def _codes(self, service: str, protocol: str) -> Sequence[str]:
        if service in self._errors:
            return self._errors[service]
        if self._default_errors is not None:
            return self._default_errors
        return DEFAULT_ERRORS.get(service, FALLBACK_ERRORS.get(protocol, FALLBACK_ERRORS["json"]))

    def draw(self, service: str, operation: str, protocol: str) -> Optional[Fault]:
        """The fault to answer this call with, if any."""
        with self._lock:
            if self._rate <= 0 or not self._targets(service, operation):
                return None
            if self._random.random() >= self._rate:
                return None
            code = self._random.choice(list(self._codes(service, protocol)))
            return Fault(code, ERROR_STATUS.get(code, 400))
