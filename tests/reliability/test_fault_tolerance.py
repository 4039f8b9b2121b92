"""The share and import plays under injected faults: 30% of all AWS calls answer with a throttling or internal
error (the emulator picks them with a fixed seed, so a run meets the same faults each time). One run of each play
must succeed and leave AWS exactly as a run without faults would."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Dict, List

from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import key_policy_name
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import read_grants

from helpers import FOREIGN_KEY_STATEMENT, FOREIGN_MODEL_STATEMENT, IMPORTER, IMPORTER_ROOT, key_policy, resource_policy
from integration.conftest import default_key_policy

RATE = 0.3
SEED = 20240607


def fault_figures(calls: List[Dict[str, Any]]) -> Dict[str, Any]:
    faults = Counter(call["fault"] for call in calls if call["fault"])
    served_writes = [call for call in calls if call["fault"] is None and call["operation"]
                     and call["operation"].startswith(("Put", "Delete", "Create", "Import", "Update", "Attach"))]
    return {"AWS calls": len(calls), "faults injected": sum(faults.values()),
            "fault codes": ", ".join(f"{code} {count}" for code, count in sorted(faults.items())),
            "writes served": len(served_writes)}


def shared_world(aws):
    """A customer managed key and two classifiers under it (one with someone else's statement on its policy), and
    a recognizer under an AWS owned key."""
    policy = default_key_policy(aws.owner.account_id)
    policy["Statement"].append(FOREIGN_KEY_STATEMENT)
    key = aws.create_key(aws.owner, policy)
    models = [aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key),
              aws.create_model(aws.owner, name="tickets", version="v2", kms_key_id=key),
              aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")]
    aws.owner.client("comprehend").put_resource_policy(
        ResourceArn=models[0], ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [FOREIGN_MODEL_STATEMENT]}))
    return key, models


def share(playbook, aws, models, tmp_path):
    return playbook("share/share.yml", share_model_arns=models, share_model_principals=[IMPORTER],
                    share_model_handoff_path=str(tmp_path / "handoff.json"))


def test_share_play_converges_under_faults(aws, playbook, figures, tmp_path):
    key, models = shared_world(aws)
    aws.reset_calls()
    aws.set_faults(RATE, seed=SEED)
    run = share(playbook, aws, models, tmp_path)
    calls = aws.calls()
    aws.set_faults(0)
    row = {"play": "share (3 models, 1 CMK)", "succeeded": run.rc == 0}
    row.update(fault_figures(calls))
    converged = run.rc == 0
    if converged:
        for arn in models:
            converged &= IMPORTER_ROOT in json.dumps(resource_policy(aws.owner, arn))
        converged &= FOREIGN_MODEL_STATEMENT in resource_policy(aws.owner, models[0])["Statement"]
        final = key_policy(aws.owner, key)
        converged &= {model for _principal, model in read_grants(final, "aws")} == set(models[:2])
        converged &= FOREIGN_KEY_STATEMENT in final["Statement"]
    row["AWS as without faults"] = converged
    figures.add("faults", row, converged and row["faults injected"] > 0)
    assert run.rc == 0, run.stdout[-3000:]
    assert row["faults injected"] > 0
    assert converged, row


def test_import_play_converges_under_faults(aws, playbook, figures, tmp_path):
    key, models = shared_world(aws)
    assert share(playbook, aws, models, tmp_path).rc == 0
    names = {models[0]: {"model_name": "tickets-copy", "version_name": "v1"},
             models[1]: {"model_name": "tickets-copy", "version_name": "v2"}}
    aws.reset_calls()
    aws.set_faults(RATE, seed=SEED)
    run = playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(tmp_path / "handoff.json"),
                   import_model_names=names)
    calls = [call for call in aws.calls() if call["account"] == aws.importer.account_id]
    aws.set_faults(0)
    row = {"play": "import (the 3 shared models)", "succeeded": run.rc == 0}
    row.update(fault_figures(calls))
    converged = run.rc == 0
    if converged:
        imported = {model["source_model_arn"]: model for model in run.result("imported")}
        converged &= set(imported) == set(models)
        converged &= all(model["status"] == "TRAINED" for model in imported.values())
        comprehend = aws.importer.client("comprehend")
        copies = comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]
        copies += comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]
        # Exactly one copy per source: a retried ImportModel must not have imported twice.
        converged &= sorted(copy["SourceModelArn"] for copy in copies) == sorted(models)
        role = aws.importer.client("iam").get_role(RoleName="seed-comprehend-import")["Role"]
        converged &= "comprehend.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])
        converged &= key in json.dumps(aws.importer.client("iam").get_role_policy(
            RoleName="seed-comprehend-import", PolicyName=key_policy_name(key))["PolicyDocument"])
    row["AWS as without faults"] = converged
    figures.add("faults", row, converged and row["faults injected"] > 0)
    assert run.rc == 0, run.stdout[-3000:]
    assert row["faults injected"] > 0
    assert converged, row
