# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comprehend model statuses, and pure shaping of what comprehend_model_info returns (no boto3 here)."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored

# Every status list of the collection. The ModelStatus enum of the Comprehend service model (botocore's
# data/comprehend/2017-11-27/service-2.json), the Status of DescribeDocumentClassifier / DescribeEntityRecognizer;
# the developer guide's "TRAINED_WITH_WARNINGS" spelling is wrong.
MODEL_STATUSES = ("SUBMITTED", "TRAINING", "DELETING", "STOP_REQUESTED", "STOPPED", "IN_ERROR", "TRAINED", "TRAINED_WITH_WARNING")
# A model in one of these can be used: shared, imported, waited for no longer.
TRAINED_STATUSES = ("TRAINED", "TRAINED_WITH_WARNING")
# A model in one of these will never be trained, so waiting for it stops. Not STOP_REQUESTED: a training that
# completes before the stop takes effect still ends TRAINED (StopTrainingDocumentClassifier's API reference).
NEVER_TRAINED_STATUSES = ("IN_ERROR", "STOPPED", "DELETING")


def encryption_facts(key_id: Optional[str], key_metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Key type of a model: no ModelKmsKeyId means an AWS owned key; else the key's KeyManager decides."""
    if not key_id:
        return {"key_type": "aws_owned", "kms_key_arn": None, "key_manager": None, "key_state": None}
    metadata = key_metadata or {}
    manager = metadata.get("KeyManager")
    return {
        "key_type": "customer_managed" if manager == "CUSTOMER" else "aws_managed",
        "kms_key_arn": metadata.get("Arn"),
        "key_manager": manager,
        "key_state": metadata.get("KeyState"),
    }


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # shown as AWS stored it rather than hidden


def policy_facts(stored: Optional[Stored]) -> Dict[str, Any]:
    """The attached resource policy (None for no policy) as returned to users."""
    return {
        "policy": _parsed(stored.document) if stored else None,
        "revision_id": stored.revision_id if stored else None,
    }


def model_facts(model: ModelArn, properties: Mapping[str, Any], key_metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """One entry of the module's ``models`` list, its resource policy not read (null)."""
    return {
        "arn": model.arn,
        "model_type": model.model_type,
        "name": model.name,
        "version": model.version or properties.get("VersionName") or None,
        "account": model.account,
        "region": model.region,
        "status": properties.get("Status"),
        "trained": properties.get("Status") in TRAINED_STATUSES,
        "message": properties.get("Message"),
        "source_model_arn": properties.get("SourceModelArn"),
        "encryption": encryption_facts(properties.get("ModelKmsKeyId"), key_metadata),
        "resource_policy": None,
    }
