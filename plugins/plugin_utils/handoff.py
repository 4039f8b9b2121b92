# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handoff from model owner to importer ("Step 2" of the AWS guide), pure and versioned.

One entry per shared model: what the importer needs to run ImportModel, and for a customer managed key the
permissions policy of the service role that Comprehend assumes to decrypt the source model.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import KEY_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import root_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import IMPORTER_KMS_ACTIONS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import CURRENT_POLICY_VERSION
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import AWS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal

HANDOFF_SCHEMA_VERSION = 1
KEY_TYPES = ("aws_owned", "customer_managed", "aws_managed")


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
    return sorted({Principal.parse(principal, partition, option=option, allow_service=False).value
                   for principal in principals})


def share_key_principals(principals: Any, key_principals: Any, model_arns: Any) -> List[str]:
    """Who the key policies name: ``key_principals`` when given, else the account root of each principal.

    The resource policy names who may call ImportModel; during the import KMS sees the importer's data access role
    (or, some say, the caller), which a principal such as a user can never be. An account root lets the importing
    account delegate the key to that role with its own IAM policies.

    The share_model role's principals are checked here, once and before anything is written, whatever the key
    principals: a service principal would land in the resource policies and in a handoff the importer refuses, and an
    empty list would share with nobody, or unshare every principal's key grants of the models.
    """
    partition = _share_models(model_arns)[0].partition
    canonical = _checked(principals, partition, "share_model_principals")
    if not canonical:
        raise InvalidInputError("share_model_principals must be a non-empty list of account IDs or IAM user/role ARNs")
    checked = _checked(key_principals or [], partition, "share_model_key_principals")
    if checked:
        return checked
    return sorted({root_arn(partition, str(Principal(AWS, principal).account)) for principal in canonical})


def share_summary(handoff: Any) -> List[str]:
    """One line per handoff item saying what the importer must do: the share_model role prints them."""
    lines = []
    for item in handoff:
        line = f"{item['model_arn']} ({item['model_type']}, {item['region']}) is shared with {', '.join(item['principals'])}. "
        if item["key_type"] == "customer_managed":
            granted = f", granted to {', '.join(item['key_principals'])}" if "key_principals" in item else ""
            line += (f"Key: customer managed {item['kms_key_arn']}{granted}; the importer needs a service role trusted by "
                     "comprehend.amazonaws.com with kms:CreateGrant, kms:Decrypt and kms:GenerateDataKey on that key, and "
                     f"passes it as DataAccessRoleArn to ImportModel in {item['region']}.")
        else:
            line += f"Key: AWS owned; the importer runs ImportModel in {item['region']} without a service role."
        lines.append(line)
    return lines


def share_regions(model_arns: Any) -> List[Dict[str, Any]]:
    """The model ARNs grouped by region, regions in order of first appearance, each ARN once: the share_model role
    describes and shares the models of each region there."""
    regions: Dict[str, List[str]] = {}
    for model in _share_models(model_arns):  # parse_model_arn refuses a region AWS would refuse
        arns = regions.setdefault(model.region, [])
        if model.arn not in arns:
            arns.append(model.arn)
    return [{"region": region, "model_arns": arns} for region, arns in regions.items()]


def check_handoff_path(path: Any) -> str:
    """Where the share_model role writes the handoff on the controller (the import role reads it there), checked
    before the first AWS write and made absolute: a write that could only fail, or land somewhere else, after the
    policies changed would leave the importer without a handoff. Empty means no file."""
    if not isinstance(path, str):
        raise InvalidInputError(f"share_model_handoff_path must be a file path, got {path!r}")
    if not path:
        return path
    absolute = os.path.abspath(os.path.expanduser(path))
    problem = f"share_model_handoff_path {path!r}"
    if os.path.isdir(absolute):  # a symlink to a directory too: the copy would leave a temporary file in it
        raise InvalidInputError(f"{problem} is a directory; name a file in it, such as {os.path.join(absolute, 'handoff.json')!r}. "
                                "Nothing was written")
    if os.path.islink(absolute) and not os.path.exists(absolute):
        raise InvalidInputError(f"{problem} is a symlink to {os.readlink(absolute)!r}, which doesn't exist. Nothing was written")
    directory = os.path.dirname(os.path.realpath(absolute))
    if not os.path.isdir(directory):
        raise InvalidInputError(f"{problem} is in {directory!r}, which is not an existing directory. "
                                "Nothing was written")
    try:  # a real try, not os.access: root passes that where a read-only mount still refuses the write
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".seed-comprehend-handoff-check-"):
            pass
    except OSError as error:
        raise InvalidInputError(f"{problem}: no file can be created in {directory!r} ({error.strerror}). "
                                "Nothing was written") from None
    return absolute


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


def handoff_entry(model: Dict[str, Any], principals: List[str], key_principals: Optional[List[str]]) -> Dict[str, Any]:
    """One handoff entry from a model as comprehend_model_info returns it; ``principals`` are those its resource
    policy names after the run, ``key_principals`` those its key policy lets use the key for it, given only for a
    customer managed key whose policy the run managed (an AWS owned key has no policy to name anyone in)."""
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
        "principals": sorted(set(principals)),
        "key_type": key_type,
    }
    if key_type == "customer_managed":
        entry["kms_key_arn"] = encryption["kms_key_arn"]
        if key_principals is not None:
            entry["key_principals"] = sorted(set(key_principals))
    entry["importer_role_policy"] = importer_role_policy([entry["kms_key_arn"]] if "kms_key_arn" in entry else [])
    return entry


def build_handoff(models: List[Dict[str, Any]], policies: List[Dict[str, Any]],
                  key_grants: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    """The handoff of ``models``, who may import each read from ``policies``, comprehend_resource_policy's
    ``resources`` for them (in check mode, the planned ones): without purge_principals a policy keeps principals
    the play didn't name, and the module returns them normalised. Likewise who may use each customer managed key
    for its model is read from ``key_grants``, the ``grants`` of the kms_comprehend_grant runs; None when the run
    didn't manage the key policies, which then aren't known."""
    principals_by_model = {policy.get("resource_arn"): policy.get("principals") or [] for policy in policies}
    unread = [str(model.get("arn")) for model in models if model.get("arn") not in principals_by_model]
    if unread:
        raise InvalidInputError(f"no resource policy result to read the principals of {', '.join(unread)} from")
    key_principals_by_model: Dict[str, List[str]] = {}
    for grant in key_grants or []:
        key_principals_by_model.setdefault(grant.get("model_arn"), []).extend(grant.get("principals") or [])
    return [handoff_entry(model, principals_by_model[model["arn"]],
                          None if key_grants is None else key_principals_by_model.get(model["arn"], []))
            for model in models]


# The fields handoff_entry writes: kms_key_arn with a customer managed key only, key_principals only since 0.2.0.
HANDOFF_REQUIRED_FIELDS = ("schema_version", "model_arn", "model_type", "region", "source_account", "principals", "key_type")
HANDOFF_OPTIONAL_FIELDS = ("kms_key_arn", "key_principals", "importer_role_policy")


def _canonical_json(value: Any) -> str:
    """One text per value, so that comparisons tell true from 1 (Python's == doesn't)."""
    return json.dumps(value, sort_keys=True)


def check_handoff(handoff: Any, source: str = "the handoff") -> List[Dict[str, Any]]:
    """The importer's handoff, untrusted (it may travel by e-mail or ticket): the JSON text of the handoff file, a
    list of entries or one entry. Every entry is checked, each model once (identical entries merged, conflicting
    ones refused), and an empty handoff is refused: an import of nothing is a mistake, not a success."""
    if isinstance(handoff, str):
        if not handoff.strip():
            raise InvalidInputError(f"{source} is empty; expected the JSON handoff that the share_model role writes")
        try:
            handoff = json.loads(handoff)
        except ValueError as error:
            raise InvalidInputError(f"{source} is not JSON ({error}); expected the JSON handoff that the share_model role writes") from None
    if isinstance(handoff, dict):
        handoff = [handoff] if handoff else []
    if not isinstance(handoff, list):
        raise InvalidInputError(f"{source} must be a list of handoff entries or one entry, got {type(handoff).__name__}")
    if not handoff:
        raise InvalidInputError(f"{source} holds no handoff entry, so there is nothing to import; "
                                "pass the handoff that the share_model role wrote")
    entries: Dict[str, Dict[str, Any]] = {}
    for entry in handoff:
        checked = check_handoff_entry(entry)
        first = entries.setdefault(checked["model_arn"], checked)
        if _canonical_json(first) != _canonical_json(checked):
            raise InvalidInputError(f"{source} has two different entries for {checked['model_arn']}; "
                                    "ask the owner for the handoff the share play wrote")
    return list(entries.values())


def check_handoff_entry(entry: Any) -> Dict[str, Any]:
    """Validate one entry read back by the importer (schema version first, then every field against the model ARN)."""
    if not isinstance(entry, dict):
        raise InvalidInputError(f"handoff entry must be a mapping, got {type(entry).__name__}")
    version = entry.get("schema_version")
    # bool is an int in Python: true would pass for 1.
    if not isinstance(version, int) or isinstance(version, bool) or version != HANDOFF_SCHEMA_VERSION:
        raise InvalidInputError(
            f"handoff schema_version {version!r} is not supported (expected {HANDOFF_SCHEMA_VERSION}); "
            "regenerate the handoff with the same seed.comprehend version"
        )
    arn = parse_model_arn(entry.get("model_arn"), option="handoff model_arn")
    unknown = sorted(str(field) for field in set(entry) - set(HANDOFF_REQUIRED_FIELDS + HANDOFF_OPTIONAL_FIELDS))
    if unknown:
        raise InvalidInputError(f"handoff entry for {arn.arn} has unknown fields {', '.join(unknown)}; "
                                "ask the owner for the handoff the share play wrote")
    missing = [field for field in HANDOFF_REQUIRED_FIELDS if field not in entry]
    if missing:
        raise InvalidInputError(f"handoff entry for {arn.arn} lacks the fields {', '.join(missing)}; "
                                "ask the owner for the handoff the share play wrote")
    for field, expected in (("region", arn.region), ("model_type", arn.model_type), ("source_account", arn.account)):
        if entry[field] != expected:
            raise InvalidInputError(f"handoff {field} {entry[field]!r} doesn't match the model ARN's {field} {expected!r}")
    if entry.get("key_type") not in KEY_TYPES:
        raise InvalidInputError(f"handoff key_type {entry.get('key_type')!r} is not one of {', '.join(KEY_TYPES)}")
    if entry["key_type"] == "aws_managed":
        raise InvalidInputError(f"handoff entry for {arn.arn} names an AWS managed key, whose key policy can't let "
                                "another account use it: the model can't be imported; the owner shares no such model")
    if not isinstance(entry["principals"], list) or not entry["principals"]:
        raise InvalidInputError(f"handoff principals of {arn.arn} must be a non-empty list of account IDs or IAM "
                                f"user/role ARNs, got {entry['principals']!r}")
    _checked(entry["principals"], arn.partition, "handoff principals")
    _check_key_principals(entry, arn)
    _check_kms_key_arn(entry, arn)
    _check_importer_role_policy(entry, arn)
    return entry


def _check_importer_role_policy(entry: Dict[str, Any], arn: ModelArn) -> None:
    """The importer derives the service role's policy from the checked kms_key_arn and never uses the handoff's;
    one that says otherwise is a tampered handoff."""
    if "importer_role_policy" not in entry:
        return
    derived = importer_role_policy([entry["kms_key_arn"]] if entry["key_type"] == "customer_managed" else [])
    if _canonical_json(entry["importer_role_policy"]) != _canonical_json(derived):
        raise InvalidInputError(f"handoff importer_role_policy of {arn.arn} is not the policy its key calls for "
                                f"({_canonical_json(derived)}); ask the owner for the handoff the share play wrote")


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


def check_own_key(key_arn: Any, entries: List[Dict[str, Any]]) -> str:
    """import_model_kms_key_arn, checked: "" (the copies under an AWS owned key) or a key ARN of the region of every
    model, since a KMS key serves its own region only and every copy is made in its source's region."""
    if key_arn == "":
        return key_arn
    region = KEY_ARN_RE.match(check_key_arn(key_arn, "import_model_kms_key_arn")).group("region")
    other_regions = list(dict.fromkeys(entry["region"] for entry in entries if entry["region"] != region))
    if other_regions:
        raise InvalidInputError(f"import_model_kms_key_arn is a key of region {region}, but the handoff has models in "
                                f"{', '.join(other_regions)}, where each copy is made; import those models in a separate "
                                "run with a key of their region")
    return key_arn


# The service role holds one inline policy per key, so that plays importing other owners' handoffs, even at the same
# time, never write one document with different content (IAM has no conditional write): keys are only added.
KEY_POLICY_PREFIX = "seed-comprehend-key-"
# 0.1.0 kept every key of the last handoff in this one policy; it stays valid and is removed by a purge only.
LEGACY_KEY_POLICY_NAME = "seed-comprehend-model-keys"
# IAM quotas, "IAM and AWS STS quotas": the inline policies of a role total 10,240 characters, white space not counted.
ROLE_POLICY_SIZE_QUOTA = 10240


def key_policy_name(key_arn: str) -> str:
    """The name of a key's inline policy: a digest, since a key ARN has characters a policy name can't have."""
    return KEY_POLICY_PREFIX + hashlib.sha256(key_arn.encode("utf-8")).hexdigest()[:16]


def policy_size(document: Any) -> int:
    """A policy's size as IAM counts it against its quotas: the JSON without white space outside strings."""
    return len(json.dumps(document, separators=(",", ":")))


def role_key_policies(key_arns: List[str], existing_policies: Any, purge: bool, role_name: str) -> List[Dict[str, Any]]:
    """The service role's inline key policies this play writes (state present) and, with ``purge``, deletes (state
    absent: the collection's key policies of keys not in ``key_arns``, and the 0.1.0 one). ``existing_policies`` is
    iam_policy_info's ``policies`` (empty for a role not created yet). Refused before any write when the role's
    inline policies would exceed IAM's size quota."""
    wanted = {key_policy_name(key): importer_role_policy([key]) for key in sorted(set(key_arns))}
    existing = {policy["policy_name"]: policy["policy_document"] for policy in existing_policies or []}
    purged = sorted(name for name in existing if purge and name not in wanted
                    and (name.startswith(KEY_POLICY_PREFIX) or name == LEGACY_KEY_POLICY_NAME))
    kept = [document for name, document in existing.items() if name not in wanted and name not in purged]
    size = sum(policy_size(document) for document in list(wanted.values()) + kept)
    if size > ROLE_POLICY_SIZE_QUOTA:
        raise InvalidInputError(
            f"the inline policies of the service role {role_name} would total {size} characters with the {len(wanted)} keys "
            f"of this play, over IAM's quota of {ROLE_POLICY_SIZE_QUOTA}; set import_model_purge_role_keys to drop the keys "
            "of earlier handoffs, or import with another import_model_role_name")
    return ([{"policy_name": name, "state": "present", "policy_document": document} for name, document in wanted.items()]
            + [{"policy_name": name, "state": "absent"} for name in purged])
