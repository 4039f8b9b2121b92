# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Principal type: one principal of a resource or key policy, parsed, canonical and rendered (no boto3 here).

Users' principals are parsed strictly (``Principal.parse``), principals AWS hands back leniently (``Principal.read``);
both end in one canonical form, so that a principal the user names and the same one read from AWS compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ACCOUNT_ID_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import IAM_ENTITY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import IAM_PATH_MAX_LENGTH
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ROOT_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import root_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError

AWS = "AWS"
SERVICE = "Service"
WILDCARD = "*"
SERVICE_PRINCIPAL_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?\Z")
# ``arn:PARTITION:iam::*:root`` means every account, like ``*``.
_WILDCARD_ROOT_RE = re.compile(r"^arn:[^:]*:iam::\*:root\Z")
# Looks like a user or role ARN, to tell a broken one by IAM's naming rules rather than as "not a principal".
_IAM_ENTITY_LIKE_RE = re.compile(r"^arn:[^:]*:iam::[^:]*:(?P<kind>user|role)/")


@dataclass(frozen=True, order=True)
class Principal:
    """One principal: its type (the key in a Principal element) and its canonical value.

    Canonical: whitespace stripped, an account ID as the root ARN of the resource's partition, a wildcard the user
    names as ``*``; any other value is kept as it is (AWS shows the unique ID, AROA..., of a deleted role, for instance).
    """

    kind: str
    value: str

    @classmethod
    def parse(cls, value: object, partition: str, option: str = "principals", allow_wildcard: bool = False,
              wildcard_opt_in: Optional[str] = "allow_wildcard_principal", allow_service: bool = True) -> Principal:
        """A principal the user named: a 12-digit account ID, an account root, IAM user or role ARN of
        ``partition``, or (with ``allow_service``) a service principal; the wildcard only with ``allow_wildcard``.

        ``wildcard_opt_in`` is the option that allows the wildcard, None where nothing may. Raises
        InvalidInputError naming ``option``.
        """
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"{option}: {value!r} is not a principal")
        text = value.strip()
        if WILDCARD in text:
            return cls._wildcard(text, option, allow_wildcard, wildcard_opt_in)
        if ACCOUNT_ID_RE.match(text):
            return cls(AWS, root_arn(partition, text))
        for pattern in (ROOT_ARN_RE, IAM_ENTITY_ARN_RE):
            match = pattern.match(text)
            if match:
                if match.group("partition") != partition:
                    raise InvalidInputError(
                        f"{option}: {text!r} is in partition {match.group('partition')!r}, not {partition!r} like the resource"
                    )
                return cls(AWS, text)
        broken_entity = _IAM_ENTITY_LIKE_RE.match(text)
        if broken_entity:
            kind = broken_entity.group("kind")
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (IAM name requirements).
            raise InvalidInputError(
                f"{option}: {text!r} is not an IAM {kind} ARN by IAM's naming rules: arn:PARTITION:iam::ACCOUNT:{kind}/[PATH/]NAME "
                f"with a NAME of 1 to 64 ASCII letters, digits and +=,.@_- characters, and a PATH of at most "
                f"{IAM_PATH_MAX_LENGTH} characters, segments of the same characters separated by /"
            )
        if allow_service and SERVICE_PRINCIPAL_RE.match(text):
            return cls(SERVICE, text)
        kinds = "a 12-digit account ID, an IAM user or role ARN"
        if allow_service:
            kinds += ", or a service principal such as comprehend.amazonaws.com"
        raise InvalidInputError(f"{option}: {text!r} is not {kinds}")

    @classmethod
    def _wildcard(cls, text: str, option: str, allow_wildcard: bool, wildcard_opt_in: Optional[str]) -> Principal:
        is_wildcard = cls(AWS, text).is_wildcard
        if is_wildcard and allow_wildcard:
            return cls(AWS, WILDCARD)
        if is_wildcard and wildcard_opt_in:
            raise InvalidInputError(
                f"{option}: the wildcard principal {text!r} would let every AWS account import the model; "
                f"set {wildcard_opt_in}=true to allow it on purpose"
            )
        # IAM matches no principal by pattern: a * elsewhere is never what the user meant.
        pattern = "" if is_wildcard else "a principal can't be a pattern; "
        raise InvalidInputError(f"{option}: the wildcard {text!r} is refused: {pattern}name the importing accounts or IAM users and roles")

    @classmethod
    def read(cls, kind: str, value: Any, partition: str) -> Principal:
        """A principal as AWS returns it in a policy: never refused, only made canonical."""
        text = str(value).strip()
        if kind == AWS and ACCOUNT_ID_RE.match(text):
            return cls(kind, root_arn(partition, text))
        return cls(kind, text)

    @property
    def is_wildcard(self) -> bool:
        return self.value == WILDCARD or bool(_WILDCARD_ROOT_RE.match(self.value))

    @property
    def category(self) -> str:
        """What the principal is: account (a root ARN), iam_user, iam_role, service, wildcard, or other (a unique ID
        AWS shows for a deleted role or user, an assumed-role session, a federated user...)."""
        if self.kind == SERVICE:
            return "service"
        if self.is_wildcard:
            return "wildcard"
        if ROOT_ARN_RE.match(self.value):
            return "account"
        entity = IAM_ENTITY_ARN_RE.match(self.value)
        return f"iam_{entity.group('kind')}" if entity else "other"

    @property
    def account(self) -> Optional[str]:
        """The account of an account root or IAM user or role; None for others (a service, a wildcard, a unique ID)."""
        for pattern in (ROOT_ARN_RE, IAM_ENTITY_ARN_RE):
            match = pattern.match(self.value)
            if match:
                return match.group("account")
        return None


def read_principals(element: Any, partition: str) -> Optional[FrozenSet[Principal]]:
    """The principals of a Principal element as AWS returns it; None when it is neither ``"*"`` nor a mapping."""
    if element == WILDCARD:
        return frozenset({Principal(AWS, WILDCARD)})
    if not isinstance(element, dict):
        return None
    # One principal may stand alone, not in a list; None names nobody.
    return frozenset(Principal.read(kind, item, partition) for kind, items in element.items()
                     for item in (items if isinstance(items, list) else [] if items is None else [items]))


def render_principals(principals: Iterable[Principal]) -> Dict[str, Any]:
    """A Principal element: AWS, then Service, then other types; values sorted, a single value as a bare string as AWS writes it."""
    by_kind: Dict[str, List[str]] = {}
    for principal in sorted(set(principals)):
        by_kind.setdefault(principal.kind, []).append(principal.value)
    kinds = sorted(by_kind, key=lambda kind: (kind not in (AWS, SERVICE), kind))
    return {kind: by_kind[kind][0] if len(by_kind[kind]) == 1 else by_kind[kind] for kind in kinds}
