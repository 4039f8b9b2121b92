# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure core of comprehend_import_model: options -> ImportModel request, the copy's ARN, whether the data access
role's own policies allow the keys, and what AWS refusals mean for the importer (no boto3 here)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.arns import KEY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import IAM_ENTITY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list

# A bare key ID: a UUID, or mrk-... for a multi-Region key (the key part of KEY_ARN_RE).
KEY_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,2048}\Z")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_COUNT_MAX = 50  # per resource (Comprehend API reference, TagResource)
KMS_VALIDATION_ERROR = "KmsKeyValidationException"
# What the importer's service role needs on the source key (and on its own key, when it re-encrypts).
IMPORTER_KMS_ACTIONS = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]
# Options in seconds and their least value (a pause of 0 between polls would hammer the API).
TIMING_MINIMUMS = (("wait_timeout", 0), ("poll_delay", 1), ("kms_validation_retry_timeout", 0))


@dataclass(frozen=True)
class ImportRequest:
    """A checked import: the source, the names of the copy, and the ImportModel parameters."""

    source: ModelArn
    model_name: str
    version_name: Optional[str]
    parameters: Dict[str, Any] = field(hash=False)
    source_key_arn: Optional[str] = None  # the source model's customer managed key, to explain a KMS refusal
    tags: Optional[Dict[str, str]] = field(default=None, hash=False)  # None: the copy's tags are left alone
    purge_tags: bool = True

    def target_arn(self, account: str) -> Optional[str]:
        """The copy's ARN in the importer's account: documented only with a version name (.../NAME/version/VERSION);
        without one AWS doesn't say what it is, so None (find the copy by listing the models of that name)."""
        if not self.version_name:
            return None
        return (f"arn:{self.source.partition}:comprehend:{self.source.region}:{account}:{self.source.resource_type}/"
                f"{self.model_name}/version/{self.version_name}")

    @property
    def role_arn(self) -> Optional[str]:
        return self.parameters.get("DataAccessRoleArn")

    def key_arns(self, account: str) -> List[str]:
        """The customer managed keys Comprehend uses through the data access role: the source's and this account's."""
        own = self.parameters.get("ModelKmsKeyId")
        if own and not KEY_ARN_RE.match(own):
            own = f"arn:{self.source.partition}:kms:{self.source.region}:{account}:key/{own}"
        return [arn for arn in (self.source_key_arn, own) if arn]


def _tags(value: Any) -> Dict[str, str]:
    """The tags option checked against Comprehend's limits, every value as the text AWS stores."""
    if not isinstance(value, Mapping):
        raise InvalidInputError("tags must be a dictionary of tag keys and values")
    if len(value) > TAG_COUNT_MAX:
        raise InvalidInputError(f"tags: {len(value)} tags given, but a Comprehend model holds at most {TAG_COUNT_MAX}")
    tags = {}
    for key, tag_value in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            raise InvalidInputError(f"tags: key {key!r} must be 1 to {TAG_KEY_MAX} characters")
        text = "" if tag_value is None else str(tag_value)
        if len(text) > TAG_VALUE_MAX:
            raise InvalidInputError(f"tags: the value of {key!r} is longer than {TAG_VALUE_MAX} characters")
        tags[key] = text
    return tags


def _own_key(value: Any, source: ModelArn) -> str:
    """ImportModel's ModelKmsKeyId takes a key ID or key ARN (API reference), not an alias; a key ARN must be in
    the source's region, where the copy is made."""
    if not isinstance(value, str) or "alias/" in value:
        raise InvalidInputError(
            f"model_kms_key_id: {value!r} is an alias or no key at all; ImportModel takes a key ID or key ARN only. "
            "Give the key's ARN (aws kms describe-key --key-id ALIAS prints it)")
    match = KEY_ARN_RE.match(value)
    if match and match.group("region") != source.region:
        raise InvalidInputError(
            f"model_kms_key_id: {value} is in region {match.group('region')}, but the copy is made in {source.region}, "
            "the source model's region; give a key of that region")
    if not match and not KEY_ID_RE.match(value):
        raise InvalidInputError(f"model_kms_key_id: {value!r} is neither a KMS key ID nor a key ARN")
    return value


def _source_key(value: Any, source: ModelArn) -> str:
    """The source's key, as the handoff names it: a key ARN of the source's account and region."""
    match = KEY_ARN_RE.match(check_key_arn(value, "source_kms_key_arn"))
    if (match.group("account"), match.group("region")) != (source.account, source.region):
        raise InvalidInputError(
            f"source_kms_key_arn: {value} is not in the source model's account {source.account} and region "
            f"{source.region}; give the kms_key_arn of the model's handoff entry")
    return value


def build_import_request(params: Mapping[str, Any], region: Optional[str]) -> ImportRequest:
    """Check the options before any AWS call; InvalidInputError names the option at fault."""
    source = parse_model_arn(params.get("source_model_arn"), option="source_model_arn")
    for option, least in TIMING_MINIMUMS:
        if params.get(option) is not None and params[option] < least:
            raise InvalidInputError(f"{option} must be at least {least} seconds, got {params[option]}")
    if region and region != source.region:
        raise InvalidInputError(
            f"source_model_arn: the source model is in {source.region} and a model can only be imported in its own "
            f"region, but the connection is for {region}; set region: {source.region}"
        )
    model_name = check_name(params.get("model_name") or source.name, "model_name")
    version_name = params.get("version_name")
    if version_name is not None:
        check_name(version_name, "version_name")
    parameters: Dict[str, Any] = {"SourceModelArn": source.arn, "ModelName": model_name}
    if version_name:
        parameters["VersionName"] = version_name
    if params.get("model_kms_key_id"):
        parameters["ModelKmsKeyId"] = _own_key(params["model_kms_key_id"], source)
    role = params.get("data_access_role_arn")
    if role:
        entity = IAM_ENTITY_ARN_RE.match(role)
        if not entity or entity.group("kind") != "role":
            raise InvalidInputError(f"data_access_role_arn: {role!r} is not an IAM role ARN by IAM's naming rules "
                                    "(arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME, ASCII letters, digits and +=,.@_-)")
        parameters["DataAccessRoleArn"] = role
    tags = _tags(params["tags"]) if params.get("tags") is not None else None
    if tags:
        parameters["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    source_key = _source_key(params["source_kms_key_arn"], source) if params.get("source_kms_key_arn") else None
    return ImportRequest(source=source, model_name=model_name, version_name=version_name, parameters=parameters,
                         source_key_arn=source_key, tags=tags, purge_tags=params.get("purge_tags", True))


def check_own_key_account(request: ImportRequest, account: str) -> None:
    """ModelKmsKeyId must be a key of the importing account: refuse another account's key ARN before ImportModel."""
    match = KEY_ARN_RE.match(request.parameters.get("ModelKmsKeyId") or "")
    if match and match.group("account") != account:
        raise InvalidInputError(
            f"model_kms_key_id: {match.group(0)} is a key of account {match.group('account')}, but the copy is made in "
            f"account {account}, which must own the key that encrypts it")


# ---- Does an identity policy allow an action on a resource? --------------------------------------------------

def _glob(pattern: str, value: str, ignore_case: bool) -> bool:
    """IAM's wildcard match: * any run of characters, ? one character."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _matches(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    def listed(key: str, value: str, ignore_case: bool) -> Optional[bool]:
        if key not in statement:
            return None
        return any(_glob(str(pattern), value, ignore_case) for pattern in as_list(statement[key]))

    action_hit = listed("Action", action, True)
    if action_hit is None:
        action_hit = listed("NotAction", action, True) is False
    resource_hit = listed("Resource", resource, False)
    if resource_hit is None:
        resource_hit = listed("NotResource", resource, False) is False
    return action_hit and resource_hit


def _statements(documents: Iterable[Any]) -> List[Mapping[str, Any]]:
    statements: List[Mapping[str, Any]] = []
    for document in documents:
        if isinstance(document, str):
            document = json.loads(document)
        statements.extend(item for item in as_list(document.get("Statement")) if isinstance(item, Mapping))
    return statements


def missing_key_permissions(documents: Iterable[Any], key_arns: Iterable[str]) -> Dict[str, List[str]]:
    """For each key, the KMS actions the identity policies don't allow on it (keys allowed everything are left out).

    Conditions are not evaluated: an Allow with a condition counts as allowing (AWS's own example conditions
    kms:Decrypt on kms:ViaService), a Deny with a condition as not denying, so only certain gaps are reported.
    """
    statements = _statements(documents)

    def allowed(action: str, key: str) -> bool:
        hits = [statement for statement in statements if _matches(statement, action, key)]
        if any(statement.get("Effect") == "Deny" and not statement.get("Condition") for statement in hits):
            return False
        return any(statement.get("Effect") == "Allow" for statement in hits)

    missing = {key: [action for action in IMPORTER_KMS_ACTIONS if not allowed(action, key)] for key in key_arns}
    return {key: actions for key, actions in missing.items() if actions}


# ---- What refusals mean -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleCheck:
    """What the data access role's own policies were found to allow: ``missing`` actions per key, or why the
    module couldn't tell (``unchecked``); ``exists`` False when IAM knows no such role."""

    missing: Dict[str, List[str]] = field(default_factory=dict)
    unchecked: Optional[str] = None
    exists: bool = True


def kms_refusal_message(request: ImportRequest, account: str, aws_message: str, check: RoleCheck,
                        retried_for: float) -> str:
    """A KmsKeyValidationException, told apart: the role's own policy lacks a key; or (the role allows the keys) the
    owner's key policy doesn't name the identity KMS sees, unless IAM hasn't propagated a new role yet."""
    source, role = request.source.arn, request.role_arn
    if not role:
        return (f"KMS refused the import of {source}: a model under a customer managed key needs data_access_role_arn, "
                f"a service role of account {account} trusted by comprehend.amazonaws.com ({aws_message})")
    if not check.exists:
        return (f"KMS refused the import of {source}: the service role {role} doesn't exist in account {account}; create "
                "it (the import_model role does) or fix data_access_role_arn ({aws_message})")
    if check.missing:
        gaps = "; ".join(f"{', '.join(actions)} on {key}" for key, actions in sorted(check.missing.items()))
        return (f"KMS refused the import of {source}: the service role {role} lacks, in its own IAM policies, {gaps}. "
                "Give it kms:CreateGrant, kms:Decrypt and kms:GenerateDataKey on those keys (the import_model role "
                f"does, from the handoff's importer_role_policy) ({aws_message})")
    owner = (f"the owner's key policy of {request.source_key_arn or 'the source key'} (account {request.source.account}) "
             f"doesn't let your service role {role} or your account {account} (its root, which the share_model role "
             f"grants by default) use the key for {source}; ask the owner to share this model version with your account "
             "with seed.comprehend.share_model. Under forward access AWS may check the caller's identity too: it needs "
             "the same KMS permissions on the source key (docs/iam/import-operator-policy.json)")
    if check.unchecked:
        role_state = (f"the module couldn't read the service role's own policies ({check.unchecked}), so either they lack "
                      "kms:CreateGrant, kms:Decrypt or kms:GenerateDataKey on the source key, or ")
    else:
        role_state = "the service role's own policies allow the keys, so "
    if retried_for > 0:
        return (f"KMS refused the import of {source} for {retried_for:.0f} seconds: {role_state}{owner} ({aws_message})")
    return (f"KMS refused the import of {source}: {role_state}either IAM hasn't propagated the service role yet (it was "
            "created or changed in the last minute: run again in a minute, or set kms_validation_retry_timeout), or "
            f"{owner} ({aws_message})")


def refusal_message(code: str, aws_message: str, request: ImportRequest, account: str) -> Optional[str]:
    """What an ImportModel refusal (other than KMS's) means for the importer, and what the owner still has to do;
    None if unknown."""
    source = request.source.arn
    denied = code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation") or (
        code == "InvalidRequestException" and "not authorized" in aws_message.lower())
    if denied and "identity-based policy" in aws_message:
        # The importer's own IAM permissions are missing, not the owner's share.
        return (f"the caller in account {account} may not import {source}: its IAM policy must allow comprehend:ImportModel "
                f"on the source model (and iam:PassRole on the data access role, to comprehend.amazonaws.com); see "
                f"docs/iam/import-operator-policy.json ({aws_message})")
    if denied:
        return (f"account {account} is not authorised to import {source}: the owner (account {request.source.account}) "
                f"must share it with this account, e.g. with the seed.comprehend.share_model role ({aws_message})")
    if code == "ResourceNotFoundException":
        return (f"{source} was not found: check the ARN and that the model still exists in account "
                f"{request.source.account}, region {request.source.region} ({aws_message})")
    if code == "ResourceInUseException":
        return f"a model named {request.model_name} already exists in account {account} ({aws_message})"
    return None


def copy_from_source(models: Iterable[Mapping[str, Any]], request: ImportRequest) -> Optional[Mapping[str, Any]]:
    """Among the listed models of the copy's name, the one imported from the source (None if none is)."""
    return next((properties for properties in models if properties.get("SourceModelArn") == request.source.arn), None)
