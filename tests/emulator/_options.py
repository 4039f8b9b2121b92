"""Switches for what AWS doesn't document, and for how long IAM changes take to be seen.

The control API (``GET``/``POST /_emulator/options``) reads and sets them; ``reset()`` restores the defaults, the first
value of each choice below. Every switch picks a reading of something AWS leaves open (README, "Invented behaviours").
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Mapping, Tuple

# Option name -> the values it takes, the default first.
CHOICES: Dict[str, Tuple[str, ...]] = {
    # DescribeResourcePolicy on a model without a policy: moto's ResourceNotFoundException, or empty fields.
    "missing_resource_policy": ("not_found", "empty"),
    # Whose identity Comprehend uses with the source model's KMS key during ImportModel.
    "import_kms_identity": ("data_access_role", "forward_access"),
    # The ARN of a copy imported without VersionName: .../NAME, or .../NAME/version/<generated>.
    "unversioned_copy_arn": ("name_only", "generated_version"),
    # The message of the InvalidRequestException a stale PolicyRevisionId gets: naming the revision, or generic.
    "stale_revision_message": ("names_revision", "generic"),
}
DEFAULT_IAM_PROPAGATION_SECONDS = 1.0

DEFAULT_OPTIONS: Dict[str, Any] = {**{name: values[0] for name, values in CHOICES.items()}, "iam_propagation_seconds": DEFAULT_IAM_PROPAGATION_SECONDS}


class Options:
    """The current options (thread-safe: the server handles requests on threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: Dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._values = dict(DEFAULT_OPTIONS)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def as_dict(self) -> Dict[str, Any]:
        with self._lock:
            return dict(self._values)

    def update(self, values: Mapping[str, Any]) -> Dict[str, Any]:
        """Apply ``values`` (ValueError on an unknown name or value, and then nothing changes) and return all options."""
        for name, value in values.items():
            _check(name, value)
        with self._lock:
            self._values.update({name: float(value) if name == "iam_propagation_seconds" else value for name, value in values.items()})
        return self.as_dict()


def _check(name: str, value: Any) -> None:
    if name == "iam_propagation_seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
            raise ValueError(f"iam_propagation_seconds takes a number of seconds from 0 to 3600, not {value!r}")
        return
    if name not in CHOICES:
        raise ValueError(f"unknown option {name!r}: the options are {', '.join([*CHOICES, 'iam_propagation_seconds'])}")
    if value not in CHOICES[name]:
        raise ValueError(f"{name} takes one of {', '.join(CHOICES[name])}, not {value!r}")


OPTIONS = Options()
