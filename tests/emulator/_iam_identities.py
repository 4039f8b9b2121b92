"""What moto's IAM knows about a role or user: whether it exists, its identity-based policies, its trust policy.

Reads the IAM backend of the account the ARN names. Visibility follows :mod:`emulator._propagation`.
"""

from __future__ import annotations

import json
import re
from typing import Any, List, Optional, Union

from moto.iam.exceptions import NotFoundException
from moto.iam.models import IAMBackend, ManagedPolicy, Role, User, iam_backends

IAM_ENTITY_ARN = re.compile(r"^arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):(?P<kind>user|role)/(?:[\w+=,.@/-]*/)?(?P<name>[\w+=,.@-]+)$")


def _backend(partition: str, account: str) -> Optional[IAMBackend]:
    try:
        return iam_backends[account][partition]
    except KeyError:  # a partition moto doesn't know
        return None


def find(arn: str) -> Optional[Union[Role, User]]:
    """The role or user ``arn`` names, or None when moto's IAM has no such entity."""
    match = IAM_ENTITY_ARN.match(arn)
    backend = _backend(match["partition"], match["account"]) if match else None
    if match is None or backend is None:
        return None
    if match["kind"] == "role":
        try:
            return backend.get_role_by_arn(arn)
        except NotFoundException:
            return None
    return next((user for user in backend.users.values() if user.arn == arn), None)


def _parse(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _default_document(policy: ManagedPolicy) -> Any:
    return next((_parse(version.document) for version in policy.versions if version.is_default), None)


def identity_policies(arn: Optional[str]) -> List[Any]:
    """The parsed inline and attached managed policies of the role or user ``arn`` (none if moto doesn't know it)."""
    entity = find(arn) if arn else None
    if entity is None:
        return []
    return [_parse(text) for text in entity.policies.values()] + [_default_document(policy) for policy in entity.managed_policies.values()]


def trust_policy(role: Role) -> Any:
    return _parse(role.assume_role_policy_document)
