# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""comprehend_share_info's pure side: who can import each model version, and the findings, each with its fix (no boto3 here).

The AWS side (share_info_aws.py) lists the model versions, reads each one's resource policy and each key's metadata and
key policy; this file makes the facts and the findings of them. A key policy is evaluated statement by statement
(_kms/key_access.py), whoever wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import MODEL_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import REGION_RE
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import root_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import encryption_facts
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import model_facts
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import AWS
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import Principal
from ansible_collections.seed.comprehend.plugins.module_utils._iam.principals import read_principals
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import ALLOWED
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import IMPORT_KEY_ACTIONS
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import NO
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import UNKNOWN
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import KeyAccess
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import KeyPolicyEvaluator
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import named_models
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_access import statement_applies

IMPORT_ACTION = "comprehend:ImportModel"
SEVERITIES = ("low", "medium", "high")
FINDING_SEVERITY = {
    "import_will_fail": "high",
    "wildcard_principal": "high",
    "key_disabled_or_pending_deletion": "high",
    "aws_managed_key": "high",
    "audit_incomplete": "high",
    "stale_key_access": "medium",
    "broad_key_access": "medium",
    "shared_but_not_trained": "medium",
    "key_access_unknown": "low",
}
FINDING_TYPES = tuple(FINDING_SEVERITY)
_ACTIONS = ", ".join(IMPORT_KEY_ACTIONS)
_GRANT_FIX = ("seed.comprehend.kms_comprehend_grant (or the share_model role) writes the statements the AWS guide shows: kms:Decrypt "
              "and kms:GenerateDataKey under aws:SourceArn, kms:CreateGrant under kms:EncryptionContext:aws:comprehend:arn")


RESOURCE_TYPES = ("document-classifier", "entity-recognizer")


@dataclass(frozen=True)
class Scope:
    """What to list: per region, per model type, the names to filter on (None: every model)."""

    queries: Tuple[Tuple[str, str, Optional[str]], ...]  # (region, resource type, name or None)
    model_arns: Optional[FrozenSet[str]]  # only these versions, when given

    def covers(self, model_arn: str) -> bool:
        """Whether a model version would have been listed if it existed: a missing one is deleted."""
        if self.model_arns is not None:
            return model_arn in self.model_arns
        match = MODEL_ARN_RE.match(model_arn)
        return bool(match) and any(
            (region, resource_type) == (match.group("region"), match.group("type")) and name in (None, match.group("name"))
            for region, resource_type, name in self.queries)

    def wanted(self, model_arn: str) -> bool:
        return self.model_arns is None or model_arn in self.model_arns


def build_scope(params: Mapping[str, Any], region: Optional[str]) -> Scope:
    """The module's options (regions, names, model_arns) checked before any call; ``region`` is the connection's."""
    if params.get("model_arns") is not None:
        models = [parse_model_arn(arn, option="model_arns") for arn in params["model_arns"]]
        if not models:
            raise InvalidInputError("model_arns must name at least one model version (leave it out to audit every model)")
        queries = tuple(dict.fromkeys((model.region, model.resource_type, model.name) for model in models))
        return Scope(queries, frozenset(model.arn for model in models))
    regions = params.get("regions") or ([region] if region else [])
    if not regions:
        raise InvalidInputError("no region: set regions, or the region option (or AWS_REGION)")
    for value in regions:
        if not isinstance(value, str) or not REGION_RE.match(value):
            raise InvalidInputError(f"regions: {value!r} is not an AWS region name like us-west-2")
    names: List[Optional[str]] = [check_name(name, "names") for name in params["names"]] if params.get("names") is not None else [None]
    if not names:
        raise InvalidInputError("names must name at least one model (leave it out to audit every model)")
    queries = tuple(dict.fromkeys((value, resource_type, name) for value in regions for resource_type in RESOURCE_TYPES for name in names))
    return Scope(queries, None)


@dataclass(frozen=True)
class ModelVersion:
    """One listed model version and its resource policy as read (None: no policy)."""

    model: ModelArn
    properties: Mapping[str, Any]
    policy_text: Optional[str] = None
    error: Optional[str] = None  # why its resource policy couldn't be read


@dataclass(frozen=True)
class Key:
    """One key as a model names it (ModelKmsKeyId): its metadata and, for a customer managed key, its policy."""

    metadata: Optional[Mapping[str, Any]] = None
    policy: Optional[Policy] = None
    error: Optional[str] = None  # why it couldn't be described or its policy read

    @property
    def arn(self) -> Optional[str]:
        return (self.metadata or {}).get("Arn")

    @property
    def customer_managed(self) -> bool:
        return (self.metadata or {}).get("KeyManager") == "CUSTOMER"


def parse_policy(text: Optional[str]) -> Optional[Policy]:
    """A resource policy's text as a document; None for none or for text that isn't a JSON object."""
    try:
        document = json.loads(text) if text else None
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def import_principals(policy: Optional[Policy], model_arn: str, partition: str) -> List[Principal]:
    """The principals a model version's resource policy lets call comprehend:ImportModel (Allow statements that apply,
    or may: conditions aren't evaluated here), less those a Deny names outright."""
    allowed: Dict[Principal, None] = {}
    denied: Set[Principal] = set()
    for statement in statements_of(policy):
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            continue
        applies, _unknown = statement_applies(statement, IMPORT_ACTION, model_arn, {})
        principals = read_principals(statement.get("Principal"), partition) or frozenset()
        if statement["Effect"] == "Allow" and applies != NO:
            allowed.update((principal, None) for principal in sorted(principals))
        elif statement["Effect"] == "Deny" and applies != NO and "Condition" not in statement:
            denied |= principals
    if any(principal.is_wildcard for principal in denied):
        return []
    return [principal for principal in allowed if principal not in denied]


def finding(kind: str, model_arn: Optional[str], principal: Optional[str], key_arn: Optional[str], message: str) -> Dict[str, Any]:
    return {"type": kind, "severity": FINDING_SEVERITY[kind], "model_arn": model_arn, "principal": principal,
            "kms_key_arn": key_arn, "message": message}


@dataclass
class _KeyReading:
    """One customer managed key's policy, evaluated once for every model version that needs it."""

    key: Key
    partition: str
    evaluator: KeyPolicyEvaluator = field(init=False)
    broad: List[Tuple[int, str, Tuple[str, ...]]] = field(init=False)
    narrow: KeyPolicyEvaluator = field(init=False)  # without its broad statements
    cache: Dict[str, KeyAccess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        region, account = self.key.arn.split(":")[3:5]
        self.evaluator = KeyPolicyEvaluator(self.key.policy, self.key.arn, self.partition)
        self.broad = self.evaluator.broad_statements(region, account)
        self.narrow = KeyPolicyEvaluator(self.key.policy, self.key.arn, self.partition, skip=[index for index, _label, _p in self.broad])

    def access(self, model_arn: str) -> KeyAccess:
        if model_arn not in self.cache:
            self.cache[model_arn] = self.evaluator.evaluate(model_arn)
        return self.cache[model_arn]


def _principal_entry(principal: Principal) -> Dict[str, str]:
    return {"principal": principal.value, "type": principal.category}


class ShareAudit:
    """The facts and findings of one run: model versions, the keys they name, and which models the listing covered."""

    def __init__(self, versions: Sequence[ModelVersion], keys: Mapping[Tuple[str, str], Key], covered: Callable[[str], bool]) -> None:
        self.versions = list(versions)
        self.keys = keys  # by (region, ModelKmsKeyId as the models name it)
        self.covered = covered  # whether a model ARN was in the scope listed (so: missing means deleted)
        self.by_arn = {version.model.arn: version for version in self.versions}
        self.findings: List[Dict[str, Any]] = []
        self.readings: Dict[str, _KeyReading] = {}
        for key in keys.values():
            if key.customer_managed and key.policy is not None and key.arn not in self.readings:
                self.readings[key.arn] = _KeyReading(key, key.arn.split(":")[1])

    def result(self) -> Dict[str, Any]:
        models = [self._model(version) for version in self.versions]
        for reading in self.readings.values():
            self._key_findings(reading)
        order = {kind: index for index, kind in enumerate(FINDING_TYPES)}
        self.findings.sort(key=lambda item: (-SEVERITIES.index(item["severity"]), order[item["type"]], item["model_arn"] or "",
                                             item["principal"] or "", item["kms_key_arn"] or ""))
        return {"changed": False, "models": models, "kms_keys": self._keys(), "findings": self.findings}

    def _key(self, version: ModelVersion) -> Optional[Key]:
        key_id = version.properties.get("ModelKmsKeyId")
        return self.keys.get((version.model.region, key_id)) if key_id else None

    def _model(self, version: ModelVersion) -> Dict[str, Any]:
        model, key = version.model, self._key(version)
        facts = model_facts(model, version.properties, key.metadata if key else None)
        del facts["resource_policy"]
        if key and key.metadata is None:
            facts["encryption"]["key_type"] = None  # DescribeKey failed: the type is unknown
        principals = import_principals(parse_policy(version.policy_text), model.arn, model.partition)
        facts["resource_policy_principals"] = [_principal_entry(principal) for principal in principals]
        facts["resource_policy_error"] = version.error
        facts["key_error"] = key.error if key else None
        reading = self.readings.get(key.arn) if key else None
        access = reading.access(model.arn) if reading else None
        facts["key_principals"] = None if access is None else [
            {"principal": entry.principal, "type": entry.category, "access": entry.access, "actions": list(entry.actions),
             "unknown_actions": list(entry.unknown_actions)} for entry in access.principals]
        facts["key_policy_unevaluated"] = list(access.unevaluated) if access else []
        self._model_findings(version, facts, principals, key, access)
        return facts

    def _model_findings(self, version: ModelVersion, facts: Mapping[str, Any], principals: List[Principal], key: Optional[Key],
                        access: Optional[KeyAccess]) -> None:
        model = version.model
        encryption = facts["encryption"]
        key_arn = encryption["kms_key_arn"] or (version.properties.get("ModelKmsKeyId") if key else None)
        foreign = [principal for principal in principals if principal.kind == AWS and principal.account != model.account]
        shared_with = ", ".join(principal.value for principal in foreign)
        if any(principal.is_wildcard for principal in principals):
            self.findings.append(finding("wildcard_principal", model.arn, "*", None, (
                f"The resource policy of {model.arn} lets every AWS account (*) import it. Name the importing accounts, "
                "users or roles instead (seed.comprehend.comprehend_resource_policy)")))
        if foreign and not facts["trained"]:
            self.findings.append(finding("shared_but_not_trained", model.arn, shared_with, None, (
                f"{model.arn} is shared with {shared_with} but its status is {facts['status']}: an import fails until it is "
                "trained. Wait for training to end, or remove the resource policy of a version that will never be trained")))
        if key and (key.metadata is None or encryption["key_state"] != "Enabled"):
            state = encryption["key_state"] or "unavailable"
            self.findings.append(finding("key_disabled_or_pending_deletion", model.arn, None, key_arn, (
                f"The KMS key {key_arn} that encrypts {model.arn} is {state}"
                + (f" ({key.error})" if key.error and key.metadata is None else "")
                + ": nobody can use the model, and an import fails. Enable the key, or cancel its deletion")))
        if foreign and encryption["key_type"] == "aws_managed":
            self.findings.append(finding("aws_managed_key", model.arn, shared_with, key_arn, (
                f"{model.arn} is encrypted with the AWS managed key {key_arn} and shared with {shared_with}: an AWS managed "
                "key's policy can't be changed, so no other account can import the model. Train it again with a customer "
                "managed key (or an AWS owned key), or remove its resource policy")))
        # A policy the audit couldn't read hides who may import or use the key: a gate must not pass on what it didn't see.
        if version.error:
            self.findings.append(finding("audit_incomplete", model.arn, None, None, (
                f"The audit couldn't read the resource policy of {model.arn} ({version.error}): who may import it is not "
                "known. Give the auditor comprehend:DescribeResourcePolicy on it (docs/iam/audit-operator-policy.json)")))
        if key and key.metadata is not None and key.customer_managed and key.policy is None:
            self.findings.append(finding("audit_incomplete", model.arn, None, key_arn, (
                f"The audit couldn't read the key policy of {key_arn}" + (f" ({key.error})" if key.error else "")
                + f": who may use the key for {model.arn} is not known. Give the auditor kms:GetKeyPolicy on the key "
                "(docs/iam/audit-operator-policy.json)")))
        if access is None or not facts["trained"]:
            return
        if any(entry.principal == "*" for entry in access.principals):
            self.findings.append(finding("wildcard_principal", model.arn, "*", key_arn, (
                f"The key policy of {key_arn} lets every AWS principal (*) use the key for {model.arn}. Name the importing "
                f"accounts or roles instead: {_GRANT_FIX}")))
        for principal in foreign:
            if principal.is_wildcard or principal.account is None:
                continue
            decided = access.account_access(principal.account)
            root = root_arn(model.partition, principal.account)
            if decided == NO:
                self.findings.append(finding("import_will_fail", model.arn, principal.value, key_arn, (
                    f"{principal.value} may import {model.arn} (its resource policy allows {IMPORT_ACTION}), but the key "
                    f"policy of {key_arn} lets no identity of account {principal.account} use the key for this model version "
                    f"({_ACTIONS}): the import fails with KmsKeyValidationException. Grant the key for this model version to "
                    f"{root} (or to the importer's data access role): {_GRANT_FIX}")))
            elif decided == UNKNOWN:
                self.findings.append(finding("key_access_unknown", model.arn, principal.value, key_arn, (
                    f"Whether the key policy of {key_arn} lets account {principal.account} use the key for {model.arn} "
                    f"can't be evaluated: {'; '.join(access.unevaluated)}. Check those statements by hand")))

    def _key_findings(self, reading: _KeyReading) -> None:
        key_arn = reading.key.arn
        _kms, key_region, key_account = key_arn.split(":")[2:5]
        for _index, label, principals in reading.broad:
            for principal in principals:
                self.findings.append(finding("broad_key_access", None, principal, key_arn, (
                    f"The key policy statement {label!r} of {key_arn} lets {principal} use the key for any Comprehend model "
                    f"of account {key_account} (no condition on the model ARN, or a pattern such as arn:aws:comprehend:*), "
                    f"shared with it or not. Replace it with statements naming each shared model version: {_GRANT_FIX}")))
        for model_arn in named_models(reading.key.policy):
            match = MODEL_ARN_RE.match(model_arn)
            if not match or (match.group("region"), match.group("account")) != (key_region, key_account):
                continue
            reason = self._stale_reason(model_arn, key_arn)
            if reason is None:
                continue
            access = reading.narrow.evaluate(model_arn)
            for entry in access.principals:
                account = Principal(AWS, entry.principal).account
                if entry.access != ALLOWED or account in (None, key_account) or (reason == "unshared" and self._importable(model_arn, account)):
                    continue
                why = {"deleted": "no longer exists",
                       "unshared": f"account {account} may no longer import (its resource policy doesn't name it)",
                       "other key": "is not encrypted with this key"}[reason]
                self.findings.append(finding("stale_key_access", model_arn, entry.principal, key_arn, (
                    f"The key policy of {key_arn} still lets {entry.principal} use the key for {model_arn}, which {why}. "
                    "Remove that grant: seed.comprehend.kms_comprehend_grant with state=absent removes the statements it "
                    "wrote; edit other statements by hand")))

    def _stale_reason(self, model_arn: str, key_arn: str) -> Optional[str]:
        version = self.by_arn.get(model_arn)
        if version is None:
            return "deleted" if self.covered(model_arn) else None
        key = self._key(version)
        if key is None or key.arn != key_arn:
            return "other key"
        return "unshared"

    def _importable(self, model_arn: str, account: str) -> bool:
        """Whether the resource policy of a listed model version lets some identity of ``account`` import it."""
        version = self.by_arn[model_arn]
        principals = import_principals(parse_policy(version.policy_text), model_arn, version.model.partition)
        return any(principal.is_wildcard or principal.account == account for principal in principals)

    def _keys(self) -> List[Dict[str, Any]]:
        result: Dict[str, Dict[str, Any]] = {}
        for (region, key_id), key in self.keys.items():
            arn = key.arn or key_id
            models = [version.model.arn for version in self.versions if self._key(version) is key and version.model.region == region]
            entry = result.setdefault(arn, {
                **encryption_facts(key_id, key.metadata), "kms_key_arn": arn, "model_arns": [], "error": key.error,
                "broad_statements": [{"sid": label, "principals": list(principals)}
                                     for _index, label, principals in (self.readings[arn].broad if arn in self.readings else [])],
            })
            entry["model_arns"] = sorted(set(entry["model_arns"]) | set(models))
        return [result[arn] for arn in sorted(result)]
