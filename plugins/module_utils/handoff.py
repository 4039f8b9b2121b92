# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handoff from model owner to importer ("Step 2" of the AWS guide), pure and versioned.

One entry per shared model: what the importer needs to run ImportModel, and for a customer managed key the
permissions policy of the service role that Comprehend assumes to decrypt the source model.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import normalise_principal
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.policy_document import CURRENT_POLICY_VERSION

HANDOFF_SCHEMA_VERSION = 1
KEY_TYPES = ("aws_owned", "customer_managed", "aws_managed")
# What the importer's service role needs on the source key (and on its own key, when it re-encrypts).
IMPORTER_KMS_ACTIONS = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]


def check_share_principals(principals: Any, model_arns: Any) -> List[str]:
    """The share_model role's principals, checked before anything is written: accounts and IAM users/roles of the
    models' partition (key policies can't name service principals, and the role manages both)."""
    if not isinstance(principals, list) or not principals:
        raise InvalidInputError("share_model_principals must be a non-empty list of account IDs or IAM user/role ARNs")
    models = [parse_model_arn(arn, option="share_model_arns") for arn in (model_arns or [])]
    partition = models[0].partition if models else "aws"
    for principal in principals:
        normalise_principal(principal, partition, allow_service=False, option="share_model_principals")
    return principals


def importer_role_policy(key_arns: List[str]) -> Optional[Dict[str, Any]]:
    """Permissions policy for the importer's data access role; None when no customer managed key is involved."""
    if not key_arns:
        return None
    return {
        "Version": CURRENT_POLICY_VERSION,
        "Statement": [{
            "Sid": "UseModelKeys",
            "Effect": "Allow",
            "Action": list(IMPORTER_KMS_ACTIONS),
            "Resource": sorted(set(key_arns)),
        }],
    }


def handoff_entry(model: Dict[str, Any], principals: List[str]) -> Dict[str, Any]:
    """One handoff entry from a model as comprehend_model_info returns it."""
    arn = parse_model_arn(model.get("arn"), option="model")
    encryption = model.get("encryption") or {}
    key_type = encryption.get("key_type", "aws_owned")
    if key_type not in KEY_TYPES:
        raise InvalidInputError(f"model {arn.arn}: unknown key type {key_type!r}")
    entry: Dict[str, Any] = {
        "schema_version": HANDOFF_SCHEMA_VERSION,
        "model_arn": arn.arn,
        "model_type": arn.model_type,
        "region": arn.region,
        "source_account": arn.account,
        "principals": sorted(principals),
        "key_type": key_type,
    }
    if key_type == "customer_managed":
        entry["kms_key_arn"] = encryption["kms_key_arn"]
    entry["importer_role_policy"] = importer_role_policy([entry["kms_key_arn"]] if "kms_key_arn" in entry else [])
    return entry


def build_handoff(models: List[Dict[str, Any]], principals: List[str]) -> List[Dict[str, Any]]:
    return [handoff_entry(model, principals) for model in models]


def check_handoff_entry(entry: Any) -> Dict[str, Any]:
    """Validate one entry read back by the importer (schema version first, then the fields it relies on)."""
    if not isinstance(entry, dict):
        raise InvalidInputError(f"handoff entry must be a mapping, got {type(entry).__name__}")
    version = entry.get("schema_version")
    if version != HANDOFF_SCHEMA_VERSION:
        raise InvalidInputError(
            f"handoff schema_version {version!r} is not supported (expected {HANDOFF_SCHEMA_VERSION}); "
            "regenerate the handoff with the same seed.comprehend version"
        )
    arn = parse_model_arn(entry.get("model_arn"), option="handoff model_arn")
    if entry.get("region") != arn.region:
        raise InvalidInputError(f"handoff region {entry.get('region')!r} doesn't match the model ARN's region {arn.region!r}")
    if entry.get("key_type") not in KEY_TYPES:
        raise InvalidInputError(f"handoff key_type {entry.get('key_type')!r} is not one of {', '.join(KEY_TYPES)}")
    if entry["key_type"] == "customer_managed":
        if not entry.get("kms_key_arn"):
            raise InvalidInputError(f"handoff entry for {arn.arn} has a customer managed key but no kms_key_arn")
        check_key_arn(entry["kms_key_arn"], "handoff kms_key_arn")
    return entry


COPY_NAME_KEYS = ("model_name", "version_name")


def _copy_names(entry: Dict[str, Any], names: Dict[str, Any]) -> Tuple[ModelArn, str, Optional[str]]:
    source = parse_model_arn(entry["model_arn"], option="handoff model_arn")
    named = names.get(source.arn, {})
    option = f"import_model_names[{source.arn}]"
    if not isinstance(named, dict) or set(named) - set(COPY_NAME_KEYS):
        raise InvalidInputError(f"{option} must be a dictionary with model_name and/or version_name, got {named!r}")
    model_name = check_name(named.get("model_name") or source.name, f"{option}.model_name")
    version_name = named.get("version_name") or source.version
    if version_name is not None:
        check_name(version_name, f"{option}.version_name")
    return source, model_name, version_name


def plan_imports(entries: List[Dict[str, Any]], names: Any) -> List[Dict[str, Any]]:
    """The checked handoff entries with the names of their copies: by default a copy keeps its source's model and
    version names. Two copies with one name would make the second ImportModel fail after the first was written,
    so that, and a name for a model the handoff doesn't hold (a typo), is refused before any import."""
    if not isinstance(names, dict):
        raise InvalidInputError(f"import_model_names must be a dictionary keyed by source model ARN, got {type(names).__name__}")
    strangers = sorted(str(name) for name in set(names) - {entry["model_arn"] for entry in entries})
    if strangers:
        raise InvalidInputError(f"import_model_names: {', '.join(strangers)} is not a model of the handoff")
    plan: List[Dict[str, Any]] = []
    sources_by_copy: Dict[Tuple[str, str, str, Optional[str]], str] = {}
    for entry in entries:
        source, model_name, version_name = _copy_names(entry, names)
        copy = (source.region, source.resource_type, model_name, version_name)
        if copy in sources_by_copy:
            raise InvalidInputError(
                f"import_model_names: {sources_by_copy[copy]} and {entry['model_arn']} would both be imported as "
                f"{model_name}{' version ' + version_name if version_name else ''}; give one of them another name")
        sources_by_copy[copy] = entry["model_arn"]
        plan.append(dict(entry, copy_model_name=model_name, copy_version_name=version_name))
    return plan
