"""Put the emulator's Comprehend and KMS classes into moto, in place of moto's own.

moto builds each service's backends from the class its BackendDict holds, and routes requests to the handler in the
service's ``urls.url_paths``: swapping both is all it takes. :mod:`emulator.server` calls :func:`install` when it is
imported, before any request; moto's state is process-wide, and so is this change.

It also makes moto's IAM handler name the role a CreateRole request creates, for IAM enforcement (:mod:`emulator._auth`,
off unless the control API switches it on), and wraps moto's IAM backend to record when roles and users change
(:mod:`emulator._propagation`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Tuple

import moto.comprehend.urls as comprehend_urls
import moto.kms.urls as kms_urls
from moto.comprehend.models import comprehend_backends
from moto.core.base_backend import BackendDict
from moto.kms.models import kms_backends

from . import _auth, _propagation
from ._comprehend import EmulatorComprehendBackend, EmulatorComprehendResponse
from ._kms import EmulatorKmsBackend, EmulatorKmsResponse

_REPLACEMENTS: Tuple[Tuple[BackendDict, type, ModuleType, Any], ...] = (
    (comprehend_backends, EmulatorComprehendBackend, comprehend_urls, EmulatorComprehendResponse),
    (kms_backends, EmulatorKmsBackend, kms_urls, EmulatorKmsResponse),
)


def install() -> None:
    """Swap moto's backend and handler classes for ours (idempotent)."""
    for backends, backend_class, urls, response_class in _REPLACEMENTS:
        if backends.backend is not backend_class:
            backends.backend = backend_class
            backends.clear()  # drop any backend already built from moto's class
        for path in urls.url_paths:
            urls.url_paths[path] = response_class.dispatch
    _auth.install()
    _propagation.install()
