# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure core of comprehend_import_model: options -> ImportModel request, the copy's ARN, and what AWS
refusals mean for the importer (no boto3 here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_id
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError

ROLE_ARN_RE = re.compile(r"^arn:aws(?:-[a-z0-9-]+)?:iam::[0-9]{12}:role/.+\Z")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256


@dataclass(frozen=True)
class ImportRequest:
    """A checked import: the source, the names of the copy, and the ImportModel parameters."""

    source: ModelArn
    model_name: str
    version_name: Optional[str]
    parameters: Dict[str, Any] = field(hash=False)

    def target_arn(self, account: str) -> str:
        """The ARN the copy gets in the importer's account (same partition, region and type as the source)."""
        arn = f"arn:{self.source.partition}:comprehend:{self.source.region}:{account}:{self.source.resource_type}/{self.model_name}"
        return f"{arn}/version/{self.version_name}" if self.version_name else arn


def _tags(value: Any) -> list:
    if not isinstance(value, Mapping):
        raise InvalidInputError("tags must be a dictionary of tag keys and values")
    tags = []
    for key, tag_value in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            raise InvalidInputError(f"tags: key {key!r} must be 1 to {TAG_KEY_MAX} characters")
        text = "" if tag_value is None else str(tag_value)
        if len(text) > TAG_VALUE_MAX:
            raise InvalidInputError(f"tags: the value of {key!r} is longer than {TAG_VALUE_MAX} characters")
        tags.append({"Key": key, "Value": text})
    return tags


def build_import_request(params: Mapping[str, Any], region: Optional[str]) -> ImportRequest:
    """Check the options before any AWS call; InvalidInputError names the option at fault."""
    source = parse_model_arn(params.get("source_model_arn"), option="source_model_arn")
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
    key_id = params.get("model_kms_key_id")
    if key_id:
        parameters["ModelKmsKeyId"] = check_key_id(key_id, "model_kms_key_id")
    role = params.get("data_access_role_arn")
    if role:
        if not ROLE_ARN_RE.match(role):
            raise InvalidInputError(f"data_access_role_arn: {role!r} is not an IAM role ARN")
        parameters["DataAccessRoleArn"] = role
    if params.get("tags"):
        parameters["Tags"] = _tags(params["tags"])
    return ImportRequest(source=source, model_name=model_name, version_name=version_name, parameters=parameters)


def refusal_message(code: str, aws_message: str, request: ImportRequest, account: str) -> Optional[str]:
    """What an ImportModel refusal means for the importer, and what the owner still has to do; None if unknown."""
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
    if code == "KmsKeyValidationException":
        return (f"KMS refused the import of {source}: either the owner's key policy lacks the grant for account {account} "
                "(the owner runs seed.comprehend.share_model, which manages it), or the data access role lacks "
                "kms:CreateGrant, kms:Decrypt and kms:GenerateDataKey on the source key (see the handoff's "
                f"importer_role_policy) ({aws_message})")
    if code == "ResourceNotFoundException":
        return (f"{source} was not found: check the ARN and that the model still exists in account "
                f"{request.source.account}, region {request.source.region} ({aws_message})")
    if code == "ResourceInUseException":
        return f"a model named {request.model_name} already exists in account {account} ({aws_message})"
    return None
