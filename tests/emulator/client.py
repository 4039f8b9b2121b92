"""A small client for the emulator's control API, with the standard library only (no moto, no requests).

Usage, as an object or with the module-level functions that take the emulator's URL first::

    client = EmulatorClient("http://127.0.0.1:PORT")        # or EmulatorClient.from_ready_file(path, wait=10)
    client.reset()
    client.set_faults(rate=0.3, seed=7, operations=["comprehend:PutResourcePolicy"])
    writes = write_calls(client.calls())

    from emulator import client as control
    control.set_model_status(url, arn, "TRAINED")
    writes = control.write_calls(control.calls(url))
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

# Operation name prefixes of the calls that change something.
WRITE_PREFIXES = (
    "Add", "Associate", "Attach", "Cancel", "Create", "Delete", "Detach", "Disable", "Disassociate", "Enable", "Import", "Put",
    "Remove", "Replicate", "Retire", "Revoke", "Rotate", "Schedule", "Set", "Start", "Stop", "Tag", "Untag", "Update",
)


def is_write_operation(operation: Optional[str]) -> bool:
    """Whether an operation name (``PutResourcePolicy``...) is one of a call that changes something."""
    return bool(operation) and str(operation).startswith(WRITE_PREFIXES)


def write_calls(entries: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The entries of a call log whose operation changes something (Put*, Delete*, Create*, Import*, Tag*...)."""
    return [dict(entry) for entry in entries if is_write_operation(entry.get("operation"))]


class EmulatorError(Exception):
    """The control API refused a request: its HTTP status (0 when the emulator couldn't be reached) and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


class EmulatorClient:
    """Drives a running emulator (in this process or another one) through its control API under ``/_emulator/``."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        # The emulator listens on a local address: never send these requests through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @classmethod
    def from_ready_file(cls, path: Union[str, "os.PathLike[str]"], wait: float = 0.0, timeout: float = 10.0) -> "EmulatorClient":
        """A client for the emulator whose URL ``python -m emulator --ready-file PATH`` wrote, waiting up to ``wait`` s."""
        deadline = time.monotonic() + wait
        while True:
            try:
                with open(path, encoding="utf-8") as ready_file:
                    url = ready_file.read().strip()
                if url:
                    return cls(url, timeout=timeout)
            except FileNotFoundError:
                pass
            if time.monotonic() >= deadline:
                raise EmulatorError(0, f"no emulator URL in {os.fspath(path)}")
            time.sleep(0.05)

    def request(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Call ``METHOD /_emulator/PATH`` and return its JSON answer; EmulatorError on failure."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            try:
                message = json.loads(text).get("error", text)
            except ValueError:
                message = text
            raise EmulatorError(error.code, message) from None
        except urllib.error.URLError as error:
            raise EmulatorError(0, f"can't reach the emulator at {self.url}: {error.reason}") from None

    def health(self) -> Dict[str, Any]:
        return self.request("GET", "health")

    def reset(self) -> None:
        """Clear all moto state, the call log, the fault configuration and the options."""
        self.request("POST", "reset", {})

    def calls(self) -> List[Dict[str, Any]]:
        """The call log: ``[{"account", "service", "operation", "region", "resource", "status", "fault", "started", "seconds"}, ...]``
        in order of completion."""
        return self.request("GET", "calls")["calls"]

    def reset_calls(self) -> None:
        self.request("POST", "calls/reset", {})

    def write_calls(self, entries: Optional[Iterable[Mapping[str, Any]]] = None) -> List[Dict[str, Any]]:
        """The write calls among ``entries`` (default: the emulator's call log)."""
        return write_calls(self.calls() if entries is None else entries)

    def faults(self) -> Dict[str, Any]:
        return self.request("GET", "faults")

    def set_faults(
        self,
        rate: float,
        seed: Optional[int] = None,
        operations: Optional[Sequence[str]] = None,
        errors: Optional[Union[Sequence[str], Mapping[str, Sequence[str]]]] = None,
    ) -> Dict[str, Any]:
        """Fail ``rate`` of the calls to ``operations`` (``service:Operation`` patterns, default all) with ``errors``."""
        body: Dict[str, Any] = {"rate": rate, "seed": seed}
        if operations is not None:
            body["operations"] = list(operations)
        if errors is not None:
            body["errors"] = {service: list(codes) for service, codes in errors.items()} if isinstance(errors, Mapping) else list(errors)
        return self.request("POST", "faults", body)

    def clear_faults(self) -> Dict[str, Any]:
        return self.request("POST", "faults", {})

    def set_model_status(self, arn: str, status: str, message: Optional[str] = None) -> Dict[str, Any]:
        """Pin the status of model ``arn`` (any account and region); return its Describe properties."""
        body = {"arn": arn, "status": status}
        if message is not None:
            body["message"] = message
        return self.request("POST", "model-status", body)

    def options(self) -> Dict[str, Any]:
        return self.request("GET", "options")

    def set_options(self, **options: Any) -> Dict[str, Any]:
        """Set emulator options, e.g. ``missing_resource_policy="empty"``; return them all."""
        return self.request("POST", "options", options)

    def iam_auth(self) -> bool:
        """Whether the emulator enforces IAM permissions (see emulator._auth)."""
        return bool(self.request("GET", "iam-auth")["enabled"])

    def set_iam_auth(self, enabled: bool) -> bool:
        """Switch IAM enforcement on or off (a reset switches it off); return the new state."""
        return bool(self.request("POST", "iam-auth", {"enabled": enabled})["enabled"])


# The same operations as functions of the emulator's URL.


def health(url: str) -> Dict[str, Any]:
    return EmulatorClient(url).health()


def reset(url: str) -> None:
    EmulatorClient(url).reset()


def calls(url: str) -> List[Dict[str, Any]]:
    return EmulatorClient(url).calls()


def reset_calls(url: str) -> None:
    EmulatorClient(url).reset_calls()


def set_faults(
    url: str,
    rate: float,
    seed: Optional[int] = None,
    operations: Optional[Sequence[str]] = None,
    errors: Optional[Union[Sequence[str], Mapping[str, Sequence[str]]]] = None,
) -> Dict[str, Any]:
    return EmulatorClient(url).set_faults(rate, seed=seed, operations=operations, errors=errors)


def clear_faults(url: str) -> Dict[str, Any]:
    return EmulatorClient(url).clear_faults()


def set_model_status(url: str, arn: str, status: str, message: Optional[str] = None) -> Dict[str, Any]:
    return EmulatorClient(url).set_model_status(arn, status, message)


def set_options(url: str, **options: Any) -> Dict[str, Any]:
    return EmulatorClient(url).set_options(**options)


def set_iam_auth(url: str, enabled: bool) -> bool:
    return EmulatorClient(url).set_iam_auth(enabled)
