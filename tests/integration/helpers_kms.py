# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of test_kms_grant.py: key policies as KMS holds them, the KMS calls of a run, the guide's statements.

Black-box on purpose: nothing here imports the collection, so the tests judge the module by what AWS holds.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

OWNER = "111122223333"
IMPORTER = "444455556666"
IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
REGION = "us-west-2"
SID_PREFIX = "SeedComprehendImport"
CONTEXT_KEY = "kms:EncryptionContext:aws:comprehend:arn"
# The KMS calls of one run of the module that changes nothing (check mode too), and of one that writes: every run
# describes the key first, whatever the form of key_id, then reads the policy, writes it and reads it back.
READS = ["DescribeKey", "GetKeyPolicy"]
WRITES = READS + ["PutKeyPolicy", "GetKeyPolicy"]


def model_arn(name: str, version: str, kind: str = "document-classifier", account: str = OWNER) -> str:
    return f"arn:aws:comprehend:{REGION}:{account}:{kind}/{name}/version/{version}"


def key_policy(account: Any, key_id: str) -> Dict[str, Any]:
    """The key policy KMS holds now, parsed."""
    return json.loads(account.client("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


def kms_operations(aws: Any) -> List[str]:
    """The KMS operations in the emulator's call log, in order."""
    return [call["operation"] for call in aws.calls() if call["service"] == "kms"]


def is_own(statement: Dict[str, Any]) -> bool:
    return str(statement.get("Sid", "")).startswith(SID_PREFIX)


def own_statements(policy: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [statement for statement in policy["Statement"] if is_own(statement)]


def foreign_statements(policy: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [statement for statement in policy["Statement"] if not is_own(statement)]


def without_own_sids(policy: Dict[str, Any]) -> Dict[str, Any]:
    """The policy with the module's Sids left out, to compare it with the guide's examples (which have none)."""
    result = dict(policy)
    result["Statement"] = [{key: value for key, value in statement.items() if key != "Sid" or not is_own(statement)}
                           for statement in policy["Statement"]]
    return result


def guide_statements(principal: str, model: str) -> List[Dict[str, Any]]:
    """The first example of the AWS guide: one principal may use the key to import one model version."""
    return [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": model}}},
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"StringEquals": {CONTEXT_KEY: model}}},
    ]


def condition_values(statement: Dict[str, Any]) -> Dict[str, Any]:
    """{operator: values} of one of the module's statements, values always as a list."""
    return {operator: sorted(value for values in keys.values() for value in (values if isinstance(values, list) else [values]))
            for operator, keys in statement["Condition"].items()}
