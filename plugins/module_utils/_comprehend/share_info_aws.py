# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""comprehend_share_info's reads: list the model versions, read their resource policies, describe their keys and read
the customer managed keys' policies, a few calls at a time.

Calls: one List* per page (the list properties carry the status and the key: no model is described), one
DescribeResourcePolicy per version, one DescribeKey per key as the models name it and one GetKeyPolicy per customer
managed key. Every call retries throttling (aws.retrying_client); a read that still fails is reported on its model or
key, and the other reads go on.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import concurrently
from ansible_collections.seed.comprehend.plugins.module_utils.aws import failure_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import list_models
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_arn_key
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import Key
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import ModelVersion
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import Scope
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import ShareAudit
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy_aws import describe_key
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy_aws import get_key_policy

ClientFor = Callable[[str, str], Any]  # (service, region) -> a retrying client


def _list(client_for: ClientFor, scope: Scope) -> List[ModelVersion]:
    """Every model version the scope names, each once, from List* pages run a few at a time."""
    def query(entry: Tuple[str, str, Any]) -> List[Dict[str, Any]]:
        region, resource_type, name = entry
        return list_models(client_for("comprehend", region), resource_type, name)

    found: Dict[str, ModelVersion] = {}
    for (region, resource_type, _name), (listed, error) in zip(scope.queries, concurrently(query, list(scope.queries))):
        if error is not None:
            raise error
        for properties in listed:
            model = parse_model_arn(properties[model_arn_key(resource_type)], option="model")
            if model.region == region and scope.wanted(model.arn):
                found.setdefault(model.arn, ModelVersion(model, properties))
    return [found[arn] for arn in sorted(found)]


def _read_policies(client_for: ClientFor, versions: List[ModelVersion]) -> List[ModelVersion]:
    def read(version: ModelVersion) -> Any:
        return ModelPolicyStore(client_for("comprehend", version.model.region), version.model, model_seen=True).read()

    return [ModelVersion(version.model, version.properties, stored.document if stored else None,
                         failure_message(error) if error else None)
            for version, (stored, error) in zip(versions, concurrently(read, versions))]


def _read_keys(client_for: ClientFor, versions: List[ModelVersion]) -> Dict[Tuple[str, str], Key]:
    wanted = list(dict.fromkeys((version.model.region, version.properties["ModelKmsKeyId"])
                                for version in versions if version.properties.get("ModelKmsKeyId")))
    described = concurrently(lambda entry: describe_key(client_for("kms", entry[0]), entry[1]), wanted)
    customer = list(dict.fromkeys((region, metadata["Arn"]) for (region, _key_id), (metadata, _error) in zip(wanted, described)
                                  if metadata and metadata.get("KeyManager") == "CUSTOMER"))
    policies = dict(zip(customer, concurrently(lambda entry: get_key_policy(client_for("kms", entry[0]), entry[1]), customer)))
    keys = {}
    for (region, key_id), (metadata, error) in zip(wanted, described):
        policy, policy_error = policies.get((region, metadata["Arn"]), (None, None)) if metadata else (None, None)
        failed = error or policy_error
        keys[(region, key_id)] = Key(metadata, policy, failure_message(failed) if failed else None)
    return keys


def audit_shares(client_for: ClientFor, scope: Scope) -> Dict[str, Any]:
    """The module's result: every model version of the scope, the keys, the findings."""
    versions = _read_policies(client_for, _list(client_for, scope))
    result = ShareAudit(versions, _read_keys(client_for, versions), scope.covers).result()
    listed = {version.model.arn for version in versions}
    result["missing"] = sorted(arn for arn in scope.model_arns or () if arn not in listed)
    result["regions"] = sorted({region for region, _type, _name in scope.queries})
    return result
