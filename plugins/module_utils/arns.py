# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parsing of ARNs: Comprehend models, KMS keys, and the IAM ARNs a principal may be (no boto3 here).

The Principal type that applies these rules is in principals.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError

# The API's own name pattern (ComprehendArnName / VersionName in the service model).
NAME_PATTERN = r"[a-zA-Z0-9](?:-*[a-zA-Z0-9])*"
NAME_RE = re.compile(r"^" + NAME_PATTERN + r"\Z")
NAME_MAX_LENGTH = 63

# An AWS region name: lower-case letters, digits and hyphens (the APIs refuse an empty or upper-case one).
REGION_PATTERN = r"[a-z]+(?:-[a-z0-9]+)+"
REGION_RE = re.compile(r"^" + REGION_PATTERN + r"\Z")
# The service and region of anything shaped like an ARN, to name a bad region in a refusal.
_ARN_REGION_RE = re.compile(r"^arn:[^:]*:(?P<service>[^:]*):(?P<region>[^:]*):")

# ComprehendModelArn from the service model, with named groups; max 256 characters.
MODEL_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):comprehend:(?P<region>" + REGION_PATTERN + r"):(?P<account>[0-9]{12}):"
    r"(?P<type>document-classifier|entity-recognizer)/(?P<name>" + NAME_PATTERN + r")"
    r"(?:/version/(?P<version>" + NAME_PATTERN + r"))?\Z"
)
MODEL_ARN_MAX_LENGTH = 256

ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}\Z")
ROOT_ARN_RE = re.compile(r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):iam::(?P<account>[0-9]{12}):root\Z")
# IAM's name requirements (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): user and
# role names are ASCII letters, digits and +=,.@_-, at most 64 characters; a path is /-delimited segments of the
# same characters, at most 512 characters. No wildcards: a principal names one entity.
IAM_NAME_MAX_LENGTH = 64
IAM_PATH_MAX_LENGTH = 512
_IAM_CHARACTERS = r"[A-Za-z0-9+=,.@_-]"
IAM_NAME_RE = re.compile(r"^" + _IAM_CHARACTERS + r"{1,%d}\Z" % IAM_NAME_MAX_LENGTH)
# IAM user or role, optionally with a path: arn:aws:iam::123456789012:role/path/Name
IAM_ENTITY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):iam::(?P<account>[0-9]{12}):(?P<kind>user|role)"
    # The lookahead bounds the path, from its first / to its last, to IAM_PATH_MAX_LENGTH characters.
    r"(?=/(?:.{0,%d}/)?[^/]*\Z)" % (IAM_PATH_MAX_LENGTH - 2)
    + r"(?P<path>/(?:" + _IAM_CHARACTERS + r"+/)*)(?P<name>" + _IAM_CHARACTERS + r"{1,%d})\Z" % IAM_NAME_MAX_LENGTH
)
# A KMS key ARN (key IDs are UUIDs, or mrk-... for multi-Region keys), with named groups.
KEY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z0-9-]+)?):kms:(?P<region>" + REGION_PATTERN + r"):(?P<account>[0-9]{12}):key/[A-Za-z0-9-]+\Z")
# KeyId of the KMS API: a key ID, key ARN, alias name or alias ARN, ASCII, at most 2048 characters.
KMS_KEY_ID_MAX_LENGTH = 2048

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


def _check_region(value: str, service: str, what: str, option: str) -> None:
    """Refuse an ARN of ``service`` (a ``what`` ARN) whose region is empty or not lower case, saying so."""
    match = _ARN_REGION_RE.match(value)
    if match and match.group("service") == service and not REGION_RE.match(match.group("region")):
        raise InvalidInputError(f"{option}: {value!r} names the region {match.group('region')!r}; a {what} ARN names its "
                                "region in lower case, like us-west-2")


def parse_model_arn(value: object, option: str = "resource_arn") -> ModelArn:
    """Parse a document classifier / entity recognizer ARN, versioned or not, in any partition."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{option} must be a Comprehend model ARN, got {value!r}")
    _check_region(value, "comprehend", "model", option)
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


def check_iam_name(value: object, option: str) -> str:
    """Check an IAM user or role name against IAM's naming rules."""
    if not isinstance(value, str) or not IAM_NAME_RE.match(value):
        raise InvalidInputError(
            f"{option}: {value!r} is not a valid IAM name: 1 to {IAM_NAME_MAX_LENGTH} ASCII letters, digits and +=,.@_-")
    return value


def check_key_arn(value: object, option: str) -> str:
    """A KMS key ARN (not a key ID or alias: IAM policies name keys by ARN)."""
    if isinstance(value, str):
        _check_region(value, "kms", "key", option)
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
