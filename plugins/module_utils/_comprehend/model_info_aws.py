# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""comprehend_model_info's AWS side: find models, describe them, resolve their keys, read their policies."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.arns import MODEL_TYPES
from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy_aws import ModelPolicyStore
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_properties
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import missing_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import list_models
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_arn_key
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy_aws import describe_key
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import model_facts
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import policy_facts


def check_region(model: ModelArn, region: Optional[str], option: str) -> None:
    """Models are shared and imported within their own region: refuse a connection to another one."""
    if region and model.region != region:
        raise InvalidInputError(
            f"{option}: {model.arn} is in region {model.region}, but the connection is for region {region}; "
            "set region to the model's region"
        )


class _KeyCache:
    """DescribeKey once per key, however many models share it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seen: Dict[str, Dict[str, Any]] = {}

    def metadata(self, key_id: Optional[str]) -> Optional[Dict[str, Any]]:
        if not key_id:
            return None
        if key_id not in self.seen:
            self.seen[key_id] = describe_key(self.client, key_id)
        return self.seen[key_id]


def describe_models(comprehend: Any, kms: Any, region: Optional[str], params: Mapping[str, Any]) -> Dict[str, Any]:
    """The module's result for model_arns, or for every version of model_type/name."""
    keys = _KeyCache(kms)
    include_policy = params.get("include_policy", True)

    def facts(model: ModelArn, properties: Mapping[str, Any]) -> Dict[str, Any]:
        result = model_facts(model, properties, keys.metadata(properties.get("ModelKmsKeyId")))
        if include_policy:  # the model was just described: reading "no policy" needn't check it again
            result["resource_policy"] = policy_facts(ModelPolicyStore(comprehend, model, model_seen=True).read())
        return result

    models: List[Dict[str, Any]] = []
    missing: List[str] = []
    if params.get("model_arns") is not None:
        parsed = [parse_model_arn(arn, option="model_arns") for arn in params["model_arns"]]
        for model in parsed:
            check_region(model, region, "model_arns")
        described = model_properties(comprehend, parsed)
        for model in parsed:
            if model.arn in described:
                models.append(facts(model, described[model.arn]))
            elif params.get("ignore_missing"):
                missing.append(model.arn)
            else:
                raise missing_model(model)
    else:
        resource_type = next(kind for kind, option in MODEL_TYPES.items() if option == params["model_type"])
        arn_key = model_arn_key(resource_type)
        statuses = params.get("statuses")
        for properties in list_models(comprehend, resource_type, check_name(params["name"], "name")):
            if statuses and properties.get("Status") not in statuses:
                continue
            models.append(facts(parse_model_arn(properties[arn_key], option="model"), properties))
    return {"changed": False, "models": models, "missing": missing}
