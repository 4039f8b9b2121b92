"""The WSGI application the emulator serves: its control API, the call log and fault injection, in front of moto.

Control API (JSON in and out, never logged), under ``/_emulator/``:

==========================  ==========================================================================================
``GET  health``             ``{"status": "ok"}``
``POST reset``              clear moto state, call log, faults, options and IAM change times -> ``{}``
``GET  calls``              ``{"calls": [{"account", "service", "operation", "region", "resource", "status", "fault",
                            "started", "seconds"}, ...]}``
``POST calls/reset``        clear the call log -> ``{}``
``GET  faults``             the fault configuration
``POST faults``             set it (see :mod:`emulator._faults`; ``{}`` or rate 0 turns faults off) -> the configuration
``POST model-status``       ``{"arn", "status", "message"?}``: pin a model's status -> the model's Describe properties
``GET  options``            all options; defaults first (README, "Invented behaviours"):
                            ``missing_resource_policy``: ``"not_found"`` | ``"empty"``;
                            ``import_kms_identity``: ``"data_access_role"`` | ``"forward_access"`` (who calls KMS
                            during ImportModel, see :mod:`emulator._sharing`);
                            ``unversioned_copy_arn``: ``"name_only"`` | ``"generated_version"``;
                            ``stale_revision_message``: ``"names_revision"`` | ``"generic"``;
                            ``iam_propagation_seconds``: ``1.0`` (0 to 3600, see :mod:`emulator._propagation`)
``POST options``            set some of them (400, and nothing changes, on a bad name or value) -> all of them
``GET  iam-auth``           ``{"enabled": false}``: whether IAM permissions are enforced (see :mod:`emulator._auth`)
``POST iam-auth``           ``{"enabled": true|false}``: switch it -> ``{"enabled": ...}``; reset switches it off
==========================  ==========================================================================================

Errors: 400 ``{"error": ...}`` for a bad body, 404 for an unknown path or model, 405 for a wrong method.

The call log holds every signed AWS request in order of completion: service and region from the SigV4 credential
scope, operation from X-Amz-Target (JSON protocols) or the Action parameter (query protocols), account resolved from
the access key like moto does, ``resource``: the ARN or key the body of a JSON-protocol request names (ResourceArn,
DocumentClassifierArn, EntityRecognizerArn or KeyId, else null), HTTP status, ``fault``: the injected error code, or
null, and when it was served: ``started`` (seconds since the epoch, when the request reached the emulator, comparable
with other processes' clocks on the machine) and ``seconds`` (how long serving it took).
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs

from moto.moto_api._internal.models import moto_api_backend
from werkzeug.wrappers import Request, Response

from . import _auth, _propagation
from ._comprehend import set_model_status
from ._faults import Fault, FaultInjector
from ._identity import account_for, signed_scope
from ._options import OPTIONS

CONTROL_PREFIX = "/_emulator/"

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class AwsCall:
    """What the call log records about a request."""

    account: str
    service: str
    operation: Optional[str]
    region: str
    protocol: str  # "json" (X-Amz-Target) or "query"
    resource: Optional[str] = None
    started: float = 0.0  # time.time() when the request arrived
    clock: float = 0.0  # time.perf_counter() then, for the duration

    def entry(self, status: int, fault: Optional[Fault] = None) -> Dict[str, Any]:
        return {
            "account": self.account,
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "resource": self.resource,
            "status": status,
            "fault": fault.code if fault else None,
            "started": self.started,
            "seconds": time.perf_counter() - self.clock,
        }


def _read_body(environ: Environ) -> bytes:
    """Read the request body, and put it back as a buffer for moto to read again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _form_action(environ: Environ) -> Optional[str]:
    """The Action parameter of a query-protocol request, from its query string or its form body."""
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return action[0]
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    action = parse_qs(_read_body(environ).decode("utf-8", "replace")).get("Action")
    return action[0] if action else None


# The request fields naming what a JSON-protocol call is about, the first one present going to the call log.
RESOURCE_FIELDS = ("ResourceArn", "DocumentClassifierArn", "EntityRecognizerArn", "KeyId")


def _json_resource(environ: Environ) -> Optional[str]:
    if not (environ.get("CONTENT_LENGTH") or "").isdigit():
        return None  # a body of unknown length (chunked) is left for moto to read
    try:
        body = json.loads(_read_body(environ) or b"{}")
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    return next((body[field] for field in RESOURCE_FIELDS if isinstance(body.get(field), str)), None)


def describe_call(environ: Environ) -> Optional[AwsCall]:
    """The call a SigV4-signed request makes, or None for anything unsigned."""
    started, clock = time.time(), time.perf_counter()
    scope = signed_scope(environ.get("HTTP_AUTHORIZATION", ""))
    if scope is None:
        return None
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation, protocol, resource = target.rsplit(".", 1)[-1], "json", _json_resource(environ)
    else:
        operation, protocol, resource = _form_action(environ), "query", None
    account = account_for(scope.access_key, environ.get("HTTP_X_MOTO_ACCOUNT_ID"))
    return AwsCall(account, scope.service, operation, scope.region, protocol, resource, started, clock)


class CallLog:
    """The calls served so far (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: List[Dict[str, Any]] = []

    def record(self, entry: Dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ControlError(Exception):
    """A control API request that can't be served: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EmulatorApp:
    """The control API, the call log and fault injection, wrapped around moto's WSGI application."""

    def __init__(self, moto_app: WsgiApp) -> None:
        self.moto_app = moto_app
        self.calls = CallLog()
        self.faults = FaultInjector()
        self._routes: Dict[Tuple[str, str], Callable[[Dict[str, Any]], Dict[str, Any]]] = {
            ("GET", "health"): lambda body: {"status": "ok"},
            ("POST", "reset"): self._reset,
            ("GET", "calls"): lambda body: {"calls": self.calls.entries()},
            ("POST", "calls/reset"): self._reset_calls,
            ("GET", "faults"): lambda body: self.faults.describe(),
            ("POST", "faults"): self.faults.configure,
            ("POST", "model-status"): self._set_model_status,
            ("GET", "options"): lambda body: OPTIONS.as_dict(),
            ("POST", "options"): OPTIONS.update,
            ("GET", "iam-auth"): _auth.describe,
            ("POST", "iam-auth"): _auth.configure,
        }

    def reset(self) -> None:
        """Forget everything: moto's state, the call log, the fault configuration, the options, IAM enforcement."""
        _auth.set_enabled(False)
        moto_api_backend.reset()
        self.calls.clear()
        self.faults.configure({})
        OPTIONS.reset()
        _propagation.reset()

    def _reset(self, body: Dict[str, Any]) -> Dict[str, Any]:
        self.reset()
        return {}

    def _reset_calls(self, body: Dict[str, Any]) -> Dict[str, Any]:
        self.calls.clear()
        return {}

    @staticmethod
    def _set_model_status(body: Dict[str, Any]) -> Dict[str, Any]:
        arn, status, message = body.get("arn"), body.get("status"), body.get("message")
        if not isinstance(arn, str) or not isinstance(status, str) or not isinstance(message, (str, type(None))):
            raise ValueError('the body must be {"arn": string, "status": string, "message": optional string}')
        return set_model_status(arn, status, message)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self._control(environ, start_response)
        call = describe_call(environ)
        if call is None:
            return self.moto_app(environ, start_response)
        fault = self.faults.draw(call.service, call.operation, call.protocol) if call.operation else None
        if fault is not None:
            # Read the body all the same: closing the connection on unread data could reset it before the client reads the answer.
            _read_body(environ)
            self.calls.record(call.entry(fault.status, fault))
            status_line, headers, body = fault.render(call.protocol)
            start_response(status_line, headers)
            return [body]
        return self._serve(call, environ, start_response)

    def _serve(self, call: AwsCall, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status = [500]  # what the log says if moto fails before answering

        def recording_start_response(status_line: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, exc_info)

        try:
            return self.moto_app(environ, recording_start_response)
        finally:
            self.calls.record(call.entry(status[0]))

    def _control(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path[len(CONTROL_PREFIX):].strip("/")
        try:
            handler = self._routes.get((request.method, path))
            if handler is None:
                known = any(route_path == path for _method, route_path in self._routes)
                raise ControlError(405 if known else 404, f"no {request.method} {CONTROL_PREFIX}{path}")
            result = handler(self._json_body(request))
            response = Response(json.dumps(result), status=200, mimetype="application/json")
        except ControlError as error:
            response = Response(json.dumps({"error": str(error)}), status=error.status, mimetype="application/json")
        except ValueError as error:
            response = Response(json.dumps({"error": str(error)}), status=400, mimetype="application/json")
        except LookupError as error:
            response = Response(json.dumps({"error": str(error.args[0] if error.args else error)}), status=404, mimetype="application/json")
        return response(environ, start_response)

    @staticmethod
    def _json_body(request: Request) -> Dict[str, Any]:
        data = request.get_data(as_text=True)
        if not data.strip():
            return {}
        try:
            body = json.loads(data)
        except ValueError as error:
            raise ControlError(400, f"the body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise ControlError(400, "the body must be a JSON object")
        return body
