"""KMS as moto implements it, plus what sharing Comprehend models needs.

* Get/PutKeyPolicy: ``PolicyName`` is optional (default ``default``, the only valid name; others -> NotFoundException).
* Key policies (PutKeyPolicy and CreateKey): valid JSON object with a Statement whose entries all have a Principal
  (else MalformedPolicyDocumentException), AWS's character set (MalformedPolicyDocumentException), at most 32,768 bytes
  (LimitExceededException), and the lockout safety check: the new policy must let the caller call kms:PutKeyPolicy
  later, unless BypassPolicyLockoutSafetyCheck is true (else MalformedPolicyDocumentException, AWS's message).
* Sids must be unique within a key policy (MalformedPolicyDocumentException): AWS re:Post Knowledge Center,
  "kms-policy-error-invalid-principals", lists for PutKeyPolicy's MalformedPolicyDocumentException "Remove duplicate
  JSON policy elements and SID values"; the IAM JSON reference (Sid): "the Sid value must be unique within a JSON
  policy". The message is ours (INVENTED, see README).
* Principals must exist: an IAM user or role ARN that moto's IAM doesn't know in the account it names, or that isn't
  visible yet (:mod:`emulator._propagation`), gets MalformedPolicyDocumentException "Policy contains a statement with
  one or more invalid principals." (AWS re:Post Knowledge Center, "kms-policy-error-invalid-principals": KMS stores a
  user or role as its unique ID, so the entity must exist). Checked before the lockout check. Accepted as they are:
  ``*``, account IDs and ``arn:PARTITION:iam::ACCOUNT:root`` of any account, service principals, and assumed-role
  session ARNs (the IAM Principal reference lists "Role sessions" as principals; only user and role ARNs are turned
  into unique IDs, so only those must exist).
* A KeyId naming no key of the caller's account and region gets NotFoundException (moto answered some with HTTP 500);
  a key ARN whose region is empty or not lower case gets ValidationException (INVENTED, like model ARNs).
* DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion take a key ARN as well as a key ID (KMS API
  Reference, each operation's KeyId: "Specify the key ID or key ARN of the KMS key."; moto 5.2.5 answered a key ARN
  with HTTP 500), and ScheduleKeyDeletion and CancelKeyDeletion answer with the key ARN (their response's KeyId: "The
  Amazon Resource Name (key ARN) of the KMS key"; moto echoed the request's KeyId).
* AWS managed keys: ``alias/aws/comprehend`` (and moto's other ``alias/aws/...`` aliases) resolve, per account and
  region, to a key created on first use with KeyManager ``AWS`` and an AWS-managed-style key policy, which can be
  read but not replaced. Aliases under ``alias/aws/`` can't be created or moved.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Dict, Optional

import moto.kms.urls as kms_urls
from moto.kms.exceptions import NotAuthorizedException, NotFoundException
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import RESERVED_ALIASES
from moto.utilities.utils import get_partition

from . import _iam_identities, _propagation
from ._auth import JsonAuthorization
from ._errors import AwsJsonError, validation_error
from ._identity import caller_of
from ._policy import ACCOUNT_ID, POLICY_CHARACTERS, Request, as_list, is_allowed, statements
from ._validation import ValidatedJson

KEY_POLICY_MAX_BYTES = 32768
DEFAULT_POLICY_NAME = "default"
AWS_MANAGED_ALIASES = frozenset(RESERVED_ALIASES) | {"alias/aws/comprehend"}
LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
INVALID_PRINCIPALS_MESSAGE = "Policy contains a statement with one or more invalid principals."
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_ROOT_OR_SESSION = re.compile(r"^arn:[\w-]+:(iam::\d{12}:root|sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+)$")

_KMS_ARN = re.compile(r"^arn:[\w-]+:kms:(?P<region>[^:]+):(?P<account>\d{12}):(?P<kind>key|alias)/(?P<name>.+)$")


def aws_managed_key_policy(account_id: str, region: str, service: str) -> str:
    """The shape of the policy AWS gives its AWS managed keys: use through the service, read access for the account."""
    partition = get_partition(region)
    return json.dumps({
        "Version": "2012-10-17",
        "Id": f"auto-{service}-1",
        "Statement": [
            {
                "Sid": f"Allow access through {service} for all principals in the account that are authorized to use {service}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": f"{service}.{region}.amazonaws.com"}},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    })


def parse_key_policy(text: Any) -> Dict[str, Any]:
    """Validate a key policy the way KMS does and return it parsed."""
    if not isinstance(text, str) or not text:
        raise AwsJsonError("MalformedPolicyDocumentException", "The key policy is empty.")
    if len(text.encode("utf-8")) > KEY_POLICY_MAX_BYTES:
        raise AwsJsonError("LimitExceededException", f"The key policy exceeds the maximum size of {KEY_POLICY_MAX_BYTES} bytes.")
    if not POLICY_CHARACTERS.fullmatch(text):
        raise AwsJsonError("MalformedPolicyDocumentException", "The key policy contains characters that are not allowed.")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise AwsJsonError("MalformedPolicyDocumentException", f"The key policy is not valid JSON: {error}") from error
    if not isinstance(document, dict) or not statements(document):
        raise AwsJsonError("MalformedPolicyDocumentException", "The key policy must be a JSON object with at least one statement.")
    if any("Principal" not in statement for statement in statements(document)):
        raise AwsJsonError("MalformedPolicyDocumentException", "Policy contains a statement with no principal.")
    sids = [json.dumps(statement["Sid"]) for statement in statements(document) if "Sid" in statement]
    duplicates = sorted(sid for sid, count in Counter(sids).items() if count > 1)
    if duplicates:
        # See the module docstring: AWS documents duplicate Sids as malformed, not the message.
        raise AwsJsonError("MalformedPolicyDocumentException", f"The key policy has duplicate Sids: {', '.join(duplicates)}.")
    return document


def _principal_is_valid(value: Any) -> bool:
    """Whether KMS accepts ``value``, one entry of a Principal's AWS list, in a key policy."""
    if not isinstance(value, str):
        return False
    if value == "*" or ACCOUNT_ID.match(value) or _ROOT_OR_SESSION.match(value):
        return True
    entity = _iam_identities.find(value)
    return entity is not None and _propagation.is_visible(entity.account_id, value)


def check_principals(document: Dict[str, Any]) -> None:
    """MalformedPolicyDocumentException unless every principal of the key policy is valid (see the module docstring)."""
    for statement in statements(document):
        element = statement.get("Principal")
        if element == "*":
            continue
        # KMS key policies name AWS principals and service principals only (KMS key policy docs, "Principal").
        valid = isinstance(element, dict) and bool(element) and set(element) <= {"AWS", "Service"}
        if not valid or not all(_principal_is_valid(value) for value in as_list(element.get("AWS"))) \
                or not all(isinstance(service, str) for service in as_list(element.get("Service"))):
            raise AwsJsonError("MalformedPolicyDocumentException", INVALID_PRINCIPALS_MESSAGE)


def resolve_key(key_ref: str, account_id: str, region: str) -> Optional[Key]:
    """The key a key ID, key ARN, alias name or alias ARN names, or None.

    ARNs are looked up in the account and region they name, anything else in ``account_id`` / ``region``.
    """
    arn = _KMS_ARN.match(key_ref)
    if arn:
        account_id, region = arn.group("account"), arn.group("region")
        key_ref = arn.group("name") if arn.group("kind") == "key" else f"alias/{arn.group('name')}"
    try:
        backend = kms_backends[account_id][region]
    except KeyError:  # a region moto doesn't know
        return None
    key_id = backend.get_key_id_from_alias(key_ref) if key_ref.startswith("alias/") else key_ref
    return backend.keys.get(key_id) if key_id else None


class EmulatorKmsBackend(KmsBackend):
    """moto's KMS backend with AWS managed keys behind the ``alias/aws/...`` aliases."""

    @property
    def _url_module(self) -> Any:
        # moto derives the URL module from the class's module name, which is ours now.
        return kms_urls

    def get_key_id_from_alias(self, alias_name: str) -> Optional[str]:
        for key in self.keys.values():
            if alias_name in key.aliases:
                return key.id
        if alias_name in AWS_MANAGED_ALIASES:
            return self._create_aws_managed_key(alias_name)
        return None

    def _create_aws_managed_key(self, alias_name: str) -> str:
        service = alias_name.rsplit("/", 1)[-1]
        key = self.create_key(
            policy=aws_managed_key_policy(self.account_id, self.region_name, service),
            key_usage="ENCRYPT_DECRYPT",
            key_spec="SYMMETRIC_DEFAULT",
            description=f"Default key that protects my {service} resources when no other key is defined",
            tags=None,
        )
        key.key_manager = "AWS"
        self.create_alias(key.id, alias_name)
        return key.id

    # moto's backend looks these keys up by key ID only; AWS takes the key ARN too (see the module docstring).
    def disable_key(self, key_id: str) -> None:
        super().disable_key(self.get_key_id(key_id))

    def enable_key(self, key_id: str) -> None:
        super().enable_key(self.get_key_id(key_id))

    def cancel_key_deletion(self, key_id: str) -> None:
        super().cancel_key_deletion(self.get_key_id(key_id))

    def schedule_key_deletion(self, key_id: str, pending_window_in_days: int) -> float:
        return super().schedule_key_deletion(self.get_key_id(key_id), pending_window_in_days)


class EmulatorKmsResponse(ValidatedJson, JsonAuthorization, KmsResponse):
    """moto's KMS handlers with AWS's key policy rules."""

    @property
    def kms_backend(self) -> EmulatorKmsBackend:
        return kms_backends[self.current_account][self.region]  # type: ignore[return-value]

    def _resource_arn(self) -> Optional[str]:
        """The ARN of the key KeyId names (for IAM enforcement, see emulator._auth); what it would be if none."""
        key_id = self._get_param("KeyId")
        if not isinstance(key_id, str) or not key_id:
            return None
        key = resolve_key(key_id, self.current_account, self.region)
        if key is not None:
            return key.arn
        if key_id.startswith("arn:"):
            return key_id
        kind = "" if key_id.startswith("alias/") else "key/"
        return f"arn:{get_partition(self.region)}:kms:{self.region}:{self.current_account}:{kind}{key_id}"

    def _check_input(self) -> None:
        key_id = self._get_param("KeyId")
        if not isinstance(key_id, str):
            return
        arn = _KMS_ARN.match(key_id)
        if key_id.startswith("arn:") and (arn is None or not _REGION.match(arn.group("region"))):
            raise validation_error("keyId", f"Member must be a key or alias ARN naming a Region matching {_REGION.pattern}", key_id)
        key = resolve_key(key_id, self.current_account, self.region)
        if key is None or (key.account_id, key.region) != (self.current_account, self.region):
            raise NotFoundException(f"Key '{key_id}' does not exist")

    def _policy_name(self) -> str:
        name = self._get_param("PolicyName") or DEFAULT_POLICY_NAME
        if name != DEFAULT_POLICY_NAME:
            raise NotFoundException("No such policy exists")
        return name

    def _check_new_policy(self, text: Any, key_arn: Optional[str]) -> None:
        """Validation and the lockout safety check, which evaluates the new policy for the caller without Conditions."""
        document = parse_key_policy(text)
        check_principals(document)
        if self._get_param("BypassPolicyLockoutSafetyCheck", False):
            return
        if not is_allowed(document, caller_of(self), Request("kms:PutKeyPolicy", resource=key_arn)):
            raise AwsJsonError("MalformedPolicyDocumentException", LOCKOUT_MESSAGE)

    def create_key(self) -> str:
        policy = self._get_param("Policy")
        if policy is not None:
            self._check_new_policy(policy, None)  # the key has no ARN yet
        return super().create_key()

    def get_key_policy(self) -> str:
        name = self._policy_name()
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        policy = self.kms_backend.get_key_policy(key_id)
        return json.dumps({"Policy": policy, "PolicyName": name})

    def put_key_policy(self) -> str:
        self._policy_name()
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        key = self.kms_backend.describe_key(key_id)
        if key.key_manager == "AWS":
            # Unverified: which error real AWS returns here is undocumented. An AWS managed key's policy grants nobody
            # kms:PutKeyPolicy, so we answer like any request the key policy doesn't allow: AccessDeniedException.
            raise AwsJsonError(
                "AccessDeniedException",
                f"User: {caller_of(self).arn} is not authorized to perform: kms:PutKeyPolicy on resource: {key.arn} "
                "because the key is an AWS managed key, whose key policy can't be changed",
            )
        policy = self._get_param("Policy")
        self._check_new_policy(policy, key.arn)
        self.kms_backend.put_key_policy(key.id, policy)
        return "{}"

    def schedule_key_deletion(self) -> str:
        return self._answer_with_key_arn(super().schedule_key_deletion())

    def cancel_key_deletion(self) -> str:
        return self._answer_with_key_arn(super().cancel_key_deletion())

    def _answer_with_key_arn(self, answer: str) -> str:
        """moto's answer with the key ARN as its KeyId, as AWS answers (see the module docstring)."""
        document = json.loads(answer)
        document["KeyId"] = self.kms_backend.describe_key(self._get_param("KeyId")).arn
        return json.dumps(document)

    def _set_alias(self, update: bool = False) -> str:
        alias_name = self._get_param("AliasName") or ""
        if alias_name.startswith("alias/aws/"):
            raise NotAuthorizedException()
        return super()._set_alias(update=update)
