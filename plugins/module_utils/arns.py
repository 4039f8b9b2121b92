# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parsing of Comprehend model ARNs and IAM principals (no boto3 here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError

# The API's own name pattern (ComprehendArnName / VersionName in the service model).
NAME_PATTERN = r"[a-zA-Z0-9](?:-*[a-zA-Z0-9])*"
NAME_RE = re.compile(r"^" + NAME_PATTERN + r"\Z")
NAME_MAX_LENGTH = 63

# ComprehendModelArn from the service model, with named groups; max 256 characters.
MODEL_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):comprehend:(?P<region>[a-zA-Z0-9-]*):(?P<account>[0-9]{12}):"
    r"(?P<type>document-classifier|entity-recognizer)/(?P<name>" + NAME_PATTERN + r")"
    r"(?:/version/(?P<version>" + NAME_PATTERN + r"))?\Z"
)
MODEL_ARN_MAX_LENGTH = 256

ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}\Z")
ROOT_ARN_RE = re.compile(r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):iam::(?P<account>[0-9]{12}):root\Z")
# IAM user or role, optionally with a path: arn:aws:iam::123456789012:role/path/Name
IAM_ENTITY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):iam::(?P<account>[0-9]{12}):(?P<kind>user|role)"
    r"(?P<path>/(?:[\x21-\x7E]+/)?)(?P<name>[\w+=,.@-]{1,128})\Z"
)
# A KMS key ARN (key IDs are UUIDs, or mrk-... for multi-Region keys), with named groups.
KEY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):kms:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):key/[A-Za-z0-9-]+\Z")
# KeyId of the KMS API: a key ID, key ARN, alias name or alias ARN, ASCII, at most 2048 characters.
KMS_KEY_ID_MAX_LENGTH = 2048
SERVICE_PRINCIPAL_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?\Z")
WILDCARD_PRINCIPALS = ("*", "arn:aws:iam::*:root")

MODEL_TYPES = {"document-classifier": "document_classifier", "entity-recognizer": "entity_recognizer"}


@dataclass(frozen=True)
class ModelArn:
    """A parsed Comprehend custom model (version) ARN."""

    arn: str
    partition: str
    region: str
    account: str
    resource_type: str  # document-classifier | entity-recognizer
    name: str
    version: Optional[str]

    @property
    def model_type(self) -> str:
        """Snake-case type as returned to users: document_classifier / entity_recognizer."""
        return MODEL_TYPES[self.resource_type]


def parse_model_arn(value: object, option: str = "resource_arn") -> ModelArn:
    """Parse a document classifier / entity recognizer ARN, versioned or not, in any partition."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{option} must be a Comprehend model ARN, got {value!r}")
    match = MODEL_ARN_RE.match(value)
    if len(value) > MODEL_ARN_MAX_LENGTH or not match:
        raise InvalidInputError(
            f"{option}: {value!r} is not a Comprehend custom model ARN; expected "
            "arn:PARTITION:comprehend:REGION:ACCOUNT:(document-classifier|entity-recognizer)/NAME[/version/VERSION]"
        )
    return ModelArn(
        arn=value,
        partition=match.group("partition"),
        region=match.group("region"),
        account=match.group("account"),
        resource_type=match.group("type"),
        name=match.group("name"),
        version=match.group("version"),
    )


def check_name(value: object, option: str) -> str:
    """Check a ModelName / VersionName against the API's pattern."""
    if not isinstance(value, str) or len(value) > NAME_MAX_LENGTH or not NAME_RE.match(value):
        raise InvalidInputError(
            f"{option}: {value!r} is not a valid name: at most {NAME_MAX_LENGTH} letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return value


def check_key_arn(value: object, option: str) -> str:
    """A KMS key ARN (not a key ID or alias: IAM policies name keys by ARN)."""
    if not isinstance(value, str) or not KEY_ARN_RE.match(value):
        raise InvalidInputError(f"{option}: {value!r} is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID)")
    return value


def check_key_id(value: object, option: str) -> str:
    """Any form of KMS KeyId, checked as far as it can be without asking KMS."""
    if not isinstance(value, str) or not value or not value.isascii() or len(value) > KMS_KEY_ID_MAX_LENGTH:
        raise InvalidInputError(f"{option}: {value!r} is not a KMS key ID, key ARN, alias name or alias ARN")
    return value


def root_arn(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:root"


def is_wildcard_principal(value: str) -> bool:
    return value == "*" or bool(re.match(r"^arn:[^:]*:iam::\*:root\Z", value))


def normalise_principal(value: object, partition: str, allow_wildcard: bool = False,
                        allow_service: bool = True, option: str = "principals") -> Tuple[str, str]:
    """Return (principal type, canonical value) for one user-given principal.

    Account IDs become root ARNs so that ``123456789012`` and ``arn:aws:iam::123456789012:root`` are one
    principal (AWS may return either form). Raises InvalidInputError with a message naming the option.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{option}: {value!r} is not a principal")
    text = value.strip()
    if is_wildcard_principal(text):
        if not allow_wildcard:
            raise InvalidInputError(
                f"{option}: the wildcard principal {text!r} would let every AWS account import the model; "
                "set allow_wildcard_principal=true to allow it on purpose"
            )
        return "AWS", "*"
    if ACCOUNT_ID_RE.match(text):
        return "AWS", root_arn(partition, text)
    for pattern in (ROOT_ARN_RE, IAM_ENTITY_ARN_RE):
        match = pattern.match(text)
        if match:
            if match.group("partition") != partition:
                raise InvalidInputError(
                    f"{option}: {text!r} is in partition {match.group('partition')!r}, not {partition!r} like the resource"
                )
            return "AWS", text
    if allow_service and SERVICE_PRINCIPAL_RE.match(text):
        return "Service", text
    kinds = "a 12-digit account ID, an IAM user or role ARN"
    if allow_service:
        kinds += ", or a service principal such as comprehend.amazonaws.com"
    raise InvalidInputError(f"{option}: {text!r} is not {kinds}")


def principal_account(value: str) -> Optional[str]:
    """The account of a canonical AWS principal (root or IAM entity ARN), None for others."""
    for pattern in (ROOT_ARN_RE, IAM_ENTITY_ARN_RE):
        match = pattern.match(value)
        if match:
            return match.group("account")
    return None
