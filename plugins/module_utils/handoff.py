# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handoff from model owner to importer ("Step 2" of the AWS guide), pure and versioned.

One entry per shared model: what the importer needs to run ImportModel, and for a customer managed key the
permissions policy of the service role that Comprehend assumes to decrypt the source model.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import KEY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import normalise_principal
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import principal_account
from ansible_collections.seed.comprehend.plugins.module_utils.arns import root_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.policy_document import CURRENT_POLICY_VERSION

HANDOFF_SCHEMA_VERSION = 1
KEY_TYPES = ("aws_owned", "customer_managed", "aws_managed")
# What the importer's service role needs on the source key (and on its own key, when it re-encrypts).
IMPORTER_KMS_ACTIONS = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]
# An AWS region name: lower-case letters, digits and hyphens (the API refuses an empty or upper-case one).
REGION_RE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+\Z")


def _share_models(model_arns: Any) -> List[ModelArn]:
    """The share_model role's model ARNs, parsed: one partition, since one play shares with one set of principals."""
    if not isinstance(model_arns, list) or not model_arns:
        raise InvalidInputError("share_model_arns must be a non-empty list of model version ARNs")
    models = [parse_model_arn(arn, option="share_model_arns") for arn in model_arns]
    partitions = sorted({model.partition for model in models})
    if len(partitions) > 1:
        raise InvalidInputError(f"share_model_arns: the models are in partitions {', '.join(partitions)}; share the models "
                                "of one partition per play (a principal belongs to one partition)")
    return models


def _checked(principals: Any, partition: str, option: str) -> List[str]:
    """Canonical principals (account IDs as root ARNs), sorted: accounts and IAM users/roles of ``partition`` only,
    since key policies can't name service principals and a wildcard would share with everyone."""
    if not isinstance(principals, list):
        raise InvalidInputError(f"{option} must be a list of account IDs or IAM user/role ARNs")
    return sorted({normalise_principal(principal, partition, allow_service=False, option=option)[1]
                   for principal in principals})


def check_share_principals(principals: Any, model_arns: Any) -> List[str]:
    """The share_model role's principals, checked before anything is written; returned unchanged."""
    if not isinstance(principals, list) or not principals:
        raise InvalidInputError("share_model_principals must be a non-empty list of account IDs or IAM user/role ARNs")
    _checked(principals, _share_models(model_arns)[0].partition, "share_model_principals")
    return principals


def share_key_principals(principals: Any, key_principals: Any, model_arns: Any) -> List[str]:
    """Who the key policies name: ``key_principals`` when given, else the account root of each principal.

    The resource policy names who may call ImportModel; during the import KMS sees the importer's data access role
    (or, some say, the caller), which a principal such as a user can never be. An account root lets the importing
    account delegate the key to that role with its own IAM policies.
    """
    partition = _share_models(model_arns)[0].partition
    checked = _checked(key_principals or [], partition, "share_model_key_principals")
    if checked:
        return checked
    canonical = _checked(principals, partition, "share_model_principals")
    return sorted({root_arn(partition, str(principal_account(principal))) for principal in canonical})


def share_regions(model_arns: Any) -> List[Dict[str, Any]]:
    """The model ARNs grouped by region, regions in order of first appearance, each ARN once: the share_model role
    describes and shares the models of each region there."""
    regions: Dict[str, List[str]] = {}
    for model in _share_models(model_arns):
        if not REGION_RE.match(model.region):
            raise InvalidInputError(f"share_model_arns: {model.arn} names the region {model.region!r}; a model ARN names "
                                    "its region in lower case, like us-west-2")
        arns = regions.setdefault(model.region, [])
        if model.arn not in arns:
            arns.append(model.arn)
    return [{"region": region, "model_arns": arns} for region, arns in regions.items()]


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


def handoff_entry(model: Dict[str, Any], principals: List[str], key_principals: List[str]) -> Dict[str, Any]:
    """One handoff entry from a model as comprehend_model_info returns it; ``key_principals`` only for a customer
    managed key (an AWS owned key has no policy to name anyone in)."""
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
        entry["key_principals"] = sorted(key_principals)
    entry["importer_role_policy"] = importer_role_policy([entry["kms_key_arn"]] if "kms_key_arn" in entry else [])
    return entry


def build_handoff(models: List[Dict[str, Any]], principals: List[str], key_principals: List[str]) -> List[Dict[str, Any]]:
    return [handoff_entry(model, principals, key_principals) for model in models]


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
    if entry["key_type"] == "aws_managed":
        raise InvalidInputError(f"handoff entry for {arn.arn} names an AWS managed key, whose key policy can't let "
                                "another account use it: the model can't be imported; the owner shares no such model")
    _check_key_principals(entry, arn)
    _check_kms_key_arn(entry, arn)
    return entry


def _check_kms_key_arn(entry: Dict[str, Any], arn: ModelArn) -> None:
    """kms_key_arn goes with a customer managed key only, and names a key of the model's own account and region (a
    model is encrypted with a key of its region): another value would reach the service role's policy."""
    if entry["key_type"] != "customer_managed":
        if "kms_key_arn" in entry:
            raise InvalidInputError(f"handoff entry for {arn.arn} has a kms_key_arn but a {entry['key_type']} key")
        return
    if not entry.get("kms_key_arn"):
        raise InvalidInputError(f"handoff entry for {arn.arn} has a customer managed key but no kms_key_arn")
    key = KEY_ARN_RE.match(check_key_arn(entry["kms_key_arn"], "handoff kms_key_arn"))
    if (key.group("partition"), key.group("account"), key.group("region")) != (arn.partition, arn.account, arn.region):
        raise InvalidInputError(f"handoff kms_key_arn {entry['kms_key_arn']} is not a key of the model's account "
                                f"{arn.account} and region {arn.region}, where the key of {arn.arn} must be")


def _check_key_principals(entry: Dict[str, Any], arn: ModelArn) -> None:
    """key_principals is optional (handoffs written before 0.2.0 lack it); when there, a list of the principals the
    key policy names, which only a customer managed key has."""
    value = entry.get("key_principals")
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInputError(f"handoff key_principals of {arn.arn} must be a list of principal ARNs, got {value!r}")
    if value and entry["key_type"] != "customer_managed":
        raise InvalidInputError(f"handoff entry for {arn.arn} has key_principals but a {entry['key_type']} key, whose "
                                "policy names nobody")
    _checked(value, arn.partition, "handoff key_principals")


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
