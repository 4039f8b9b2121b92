"""IAM's eventual consistency: when each role and user last changed, and whether other services see it yet.

IAM documents that "Changes that I make are not always immediately visible" (IAM User Guide, Troubleshooting IAM:
"IAM is eventually consistent"; a new or changed role or user may not be usable at once by other services).
moto applies IAM changes at once and keeps no change times, so this module records them by wrapping moto's IAM backend:
CreateRole, CreateUser (a recreation after DeleteRole/DeleteUser is a creation too), Put/Delete/Attach/DetachRolePolicy,
UpdateAssumeRolePolicy and Put/Delete/Attach/DetachUserPolicy mark the entity changed now, keyed by account and ARN.
An entity changed less than the option ``iam_propagation_seconds`` ago is not yet visible to Comprehend and KMS.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any, Callable, Dict, Tuple

from moto.iam.models import IAMBackend

from ._options import OPTIONS

_LOCK = threading.Lock()
_CHANGED: Dict[Tuple[str, str], float] = {}

# IAMBackend method -> how to find the ARN of the entity it changes, from the backend, the result and the arguments.
_Locate = Callable[[IAMBackend, Any, Dict[str, Any]], str]
_CREATED: _Locate = lambda backend, result, args: result.arn  # noqa: E731
_ROLE: _Locate = lambda backend, result, args: backend.get_role(args["role_name"]).arn  # noqa: E731
_USER: _Locate = lambda backend, result, args: backend.get_user(args["user_name"]).arn  # noqa: E731
_TRACKED: Dict[str, _Locate] = {
    "create_role": _CREATED,
    "create_user": _CREATED,
    "put_role_policy": _ROLE,
    "delete_role_policy": _ROLE,
    "attach_role_policy": _ROLE,
    "detach_role_policy": _ROLE,
    "update_assume_role_policy": _ROLE,
    "put_user_policy": _USER,
    "delete_user_policy": _USER,
    "attach_user_policy": _USER,
    "detach_user_policy": _USER,
}


def mark_changed(account: str, arn: str) -> None:
    with _LOCK:
        _CHANGED[(account, arn)] = time.monotonic()


def is_visible(account: str, arn: str) -> bool:
    """Whether the last change to the role or user ``arn`` of ``account`` has propagated (never changed: yes)."""
    with _LOCK:
        changed = _CHANGED.get((account, arn))
    return changed is None or time.monotonic() - changed >= OPTIONS.iam_propagation_seconds


def reset() -> None:
    with _LOCK:
        _CHANGED.clear()


def _tracking(method: Callable[..., Any], locate: _Locate) -> Callable[..., Any]:
    parameters = method.__code__.co_varnames[1:method.__code__.co_argcount]

    @functools.wraps(method)
    def wrapper(backend: IAMBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(backend, *args, **kwargs)
        mark_changed(backend.account_id, locate(backend, result, {**dict(zip(parameters, args)), **kwargs}))
        return result

    wrapper.__wrapped_by_emulator__ = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Wrap moto's IAM backend methods (idempotent)."""
    for name, locate in _TRACKED.items():
        method = getattr(IAMBackend, name)
        if not getattr(method, "__wrapped_by_emulator__", False):
            setattr(IAMBackend, name, _tracking(method, locate))
