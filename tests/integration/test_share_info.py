"""Integration tests of seed.comprehend.comprehend_share_info against the emulator: each kind of finding made on
purpose (foreign key statements included), a clean share without findings, the scope options and the calls made."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Dict, List

from conftest import Account, _session
from emulator import client as control

THIRD_ID = "123456789012"
OTHER_ID = "999988887777"
IMPORTER_ROOT = "arn:aws:iam::444455556666:root"
THIRD_ROOT = f"arn:aws:iam::{THIRD_ID}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ID}:root"
CONTEXT_KEY = "kms:EncryptionContext:aws:comprehend:arn"
ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]


def owner_statement(account_id: str) -> Dict[str, Any]:
    return {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*", "Resource": "*"}


def import_policy(*principals: str) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Import", "Effect": "Allow", "Action": "comprehend:ImportModel",
                                                    "Resource": "*", "Principal": {"AWS": list(principals)}}]}


def model_arn(aws, kind: str, name: str, version: str) -> str:
    return f"arn:aws:comprehend:{aws.region}:{aws.owner.account_id}:{kind}/{name}/version/{version}"


def audit(playbook, **variables) -> Dict[str, Any]:
    run = playbook("share_info/audit.yml", check=True, **variables)
    assert run.rc == 0, run.stdout
    return run.result("audit")


def found(result: Dict[str, Any]) -> List[tuple]:
    return sorted((item["type"], item["model_arn"], item["principal"]) for item in result["findings"])


def test_a_share_made_by_the_role_has_no_findings_and_reads_once(aws, playbook):
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    shared = playbook("share/share.yml", share_model_arns=[classifier, recognizer], share_model_principals=[aws.importer.account_id])
    assert shared.rc == 0, shared.stdout
    aws.reset_calls()

    result = audit(playbook)
    assert result["findings"] == [] and result["missing"] == [] and result["regions"] == ["us-west-2"]
    models = {model["arn"]: model for model in result["models"]}
    assert list(models) == sorted([classifier, recognizer])
    tickets = models[classifier]
    assert tickets["resource_policy_principals"] == [{"principal": IMPORTER_ROOT, "type": "account"}]
    assert tickets["encryption"]["key_type"] == "customer_managed" and tickets["encryption"]["key_state"] == "Enabled"
    assert {entry["principal"]: entry["access"] for entry in tickets["key_principals"]} == {
        IMPORTER_ROOT: "allowed", f"arn:aws:iam::{aws.owner.account_id}:root": "allowed"}
    assert models[recognizer]["encryption"]["key_type"] == "aws_owned" and models[recognizer]["key_principals"] is None
    assert [entry["kms_key_arn"] for entry in result["kms_keys"]] == [key]

    calls = Counter((call["service"], call["operation"]) for call in aws.calls())
    assert calls == Counter({("comprehend", "ListDocumentClassifiers"): 1, ("comprehend", "ListEntityRecognizers"): 1,
                             ("comprehend", "DescribeResourcePolicy"): 2, ("kms", "DescribeKey"): 1, ("kms", "GetKeyPolicy"): 1})
    assert aws.write_calls() == []


def test_each_finding(aws, playbook):
    owner, comprehend, kms = aws.owner, aws.owner.client("comprehend"), aws.owner.client("kms")
    tickets_v1, tickets_v2 = model_arn(aws, "document-classifier", "tickets", "v1"), model_arn(aws, "document-classifier", "tickets", "v2")
    unshared, gone = model_arn(aws, "document-classifier", "unshared", "v1"), model_arn(aws, "document-classifier", "gone", "v1")
    key = aws.create_key(owner, {"Version": "2012-10-17", "Statement": [
        owner_statement(owner.account_id),
        # A foreign statement (not written by this collection) that works: StringLike over every version of tickets.
        {"Sid": "PartnerTickets", "Effect": "Allow", "Principal": {"AWS": aws.importer.account_id}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringLike": {CONTEXT_KEY: tickets_v1[:-2] + "*"}}},
        # The guide's "alternative 2": any model of the account, for another account.
        {"Sid": "AnyModel", "Effect": "Allow", "Principal": {"AWS": OTHER_ROOT}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringLike": {CONTEXT_KEY: "arn:aws:comprehend:*"}}},
        # Exact grants to a third account for a model no longer shared with it and a deleted one.
        {"Sid": "ThirdDecrypt", "Effect": "Allow", "Principal": {"AWS": THIRD_ROOT}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": [unshared, gone]}}},
        {"Sid": "ThirdGrant", "Effect": "Allow", "Principal": {"AWS": THIRD_ROOT}, "Action": "kms:CreateGrant",
         "Resource": "*", "Condition": {"StringEquals": {CONTEXT_KEY: [unshared, gone]}}},
    ]})
    aws.create_model(owner, name="tickets", version="v1", kms_key_id=key, policy=import_policy(IMPORTER_ROOT))
    aws.create_model(owner, name="tickets", version="v2", kms_key_id=key, policy=import_policy(IMPORTER_ROOT, THIRD_ROOT))
    aws.create_model(owner, name="unshared", version="v1", kms_key_id=key)
    aws.create_model(owner, name="gone", version="v1", kms_key_id=key)
    comprehend.delete_document_classifier(DocumentClassifierArn=gone)
    training = aws.create_model(owner, name="training", version="v1", status="TRAINING", policy=import_policy(IMPORTER_ROOT))
    wild = aws.create_model(owner, model_type="entity-recognizer", name="wild", version="v1", policy=import_policy("*"))
    managed = aws.create_model(owner, name="managed", version="v1", kms_key_id="alias/aws/comprehend", policy=import_policy(IMPORTER_ROOT))
    disabled_key = aws.create_key(owner, {"Version": "2012-10-17", "Statement": [
        owner_statement(owner.account_id),
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringEquals": {CONTEXT_KEY: model_arn(aws, "document-classifier", "disabled", "v1")}}}]})
    disabled = aws.create_model(owner, name="disabled", version="v1", kms_key_id=disabled_key, policy=import_policy(IMPORTER_ROOT))
    kms.disable_key(KeyId=disabled_key)
    via_key = aws.create_key(owner, {"Version": "2012-10-17", "Statement": [
        owner_statement(owner.account_id),
        {"Sid": "ViaComprehend", "Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "comprehend.us-west-2.amazonaws.com"}}}]})
    via = aws.create_model(owner, name="via", version="v1", kms_key_id=via_key, policy=import_policy(IMPORTER_ROOT))
    aws.reset_calls()

    result = audit(playbook)
    assert found(result) == sorted([
        ("import_will_fail", tickets_v2, THIRD_ROOT),
        ("wildcard_principal", wild, "*"),
        ("key_disabled_or_pending_deletion", disabled, None),
        ("aws_managed_key", managed, IMPORTER_ROOT),
        ("stale_key_access", unshared, THIRD_ROOT),
        ("stale_key_access", gone, THIRD_ROOT),
        ("broad_key_access", None, OTHER_ROOT),
        ("shared_but_not_trained", training, IMPORTER_ROOT),
        ("key_access_unknown", via, IMPORTER_ROOT),
    ])
    by_type = {item["type"]: item for item in result["findings"]}
    assert by_type["import_will_fail"]["severity"] == "high" and by_type["import_will_fail"]["kms_key_arn"] == key
    assert "Grant the key for this model version to arn:aws:iam::123456789012:root" in by_type["import_will_fail"]["message"]
    assert "'AnyModel'" in by_type["broad_key_access"]["message"]
    assert "no longer exists" in next(item["message"] for item in result["findings"] if item["model_arn"] == gone)
    assert "kms:ViaService can't be evaluated" in by_type["key_access_unknown"]["message"]
    assert [item["severity"] for item in result["findings"]] == sorted(
        (item["severity"] for item in result["findings"]), key=["high", "medium", "low"].index)

    models = {model["arn"]: model for model in result["models"]}
    assert gone not in models
    assert {entry["principal"]: entry["access"] for entry in models[tickets_v1]["key_principals"]} == {
        f"arn:aws:iam::{owner.account_id}:root": "allowed", IMPORTER_ROOT: "allowed", OTHER_ROOT: "allowed"}
    assert {entry["principal"]: entry["access"] for entry in models[via]["key_principals"]}[IMPORTER_ROOT] == "unknown"
    assert models[via]["key_policy_unevaluated"] == ["ViaComprehend: the condition key kms:ViaService can't be evaluated"]
    assert models[disabled]["encryption"]["key_state"] == "Disabled"
    assert {entry["kms_key_arn"]: entry["broad_statements"] for entry in result["kms_keys"]}[key] == [{"sid": "AnyModel", "principals": [OTHER_ROOT]}]
    assert aws.write_calls() == []


def test_scope_by_names_model_arns_and_regions(aws, playbook):
    west = aws.create_model(aws.owner, name="tickets", version="v1", policy=import_policy(IMPORTER_ROOT))
    aws.create_model(aws.owner, name="other", version="v1")
    europe_account = Account(aws.owner.account_id, aws.url, aws.owner.credentials, region="eu-west-1")
    europe = aws.create_model(europe_account, name="tickets", version="v1")
    missing = model_arn(aws, "entity-recognizer", "people", "v9")

    by_name = audit(playbook, names=["tickets"], regions=["us-west-2", "eu-west-1"])
    assert [model["arn"] for model in by_name["models"]] == sorted([west, europe])
    assert by_name["regions"] == ["eu-west-1", "us-west-2"]
    by_arn = audit(playbook, model_arns=[west, missing])
    assert [model["arn"] for model in by_arn["models"]] == [west] and by_arn["missing"] == [missing]

    refused = playbook("share_info/audit.yml", regions=["US-WEST-2"])
    assert refused.rc != 0 and "regions: 'US-WEST-2' is not an AWS region name" in refused.stdout


def test_a_read_only_role_is_enough(aws, playbook):
    key = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key, policy=import_policy(IMPORTER_ROOT))
    read_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "comprehend:ListDocumentClassifiers", "comprehend:ListEntityRecognizers", "comprehend:DescribeResourcePolicy",
        "kms:DescribeKey", "kms:GetKeyPolicy"]}]}
    role = aws.create_role(aws.owner, "auditor", policy=read_only)
    auditor = Account(aws.owner.account_id, aws.url, _session(aws.url, role, aws.owner.credentials))
    control.set_iam_auth(aws.url, True)
    try:
        result = audit(playbook, account=auditor)
    finally:
        control.set_iam_auth(aws.url, False)
    assert [(item["type"], item["model_arn"]) for item in result["findings"]] == [("import_will_fail", model)]
    assert json.dumps(result).count("AccessDenied") == 0


def test_the_audit_role_reports_and_gates(aws, playbook):
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    assert playbook("share/share.yml", share_model_arns=[classifier, recognizer], share_model_principals=[aws.importer.account_id]).rc == 0

    clean = playbook("share_info/audit_role.yml", check=True)
    assert clean.rc == 0, clean.stdout
    fact = clean.result("audit_fact")
    assert fact["account"] == aws.owner.account_id and fact["regions"] == ["us-west-2"] and fact["findings"] == []
    assert json.loads((clean.output_dir / "share-audit.json").read_text(encoding="utf-8")) == fact
    report = (clean.output_dir / "share-audit.md").read_text(encoding="utf-8")
    assert f"Account `{aws.owner.account_id}`, region us-west-2, taken at {fact['taken_at']}" in report
    assert "```mermaid" in report and "p0 -->|ImportModel| m0" in report and "class m0 finding" not in report
    assert f"### `{classifier}`" in report and f"`{IMPORTER_ROOT}` (account)" in report and "## Findings\n\nNone." in report

    drifted = aws.create_model(aws.owner, name="drifted", version="v1", kms_key_id=key, policy=import_policy(THIRD_ROOT))
    aws.reset_calls()
    gated = playbook("share_info/audit_role.yml")
    assert gated.rc != 0 and "1 finding(s) of severity high or above" in gated.stdout and "import_will_fail" in gated.stdout
    report = (gated.output_dir / "share-audit.md").read_text(encoding="utf-8")
    assert f"| high | import_will_fail | `{drifted}` | {THIRD_ROOT} | `{key}` |" in report and "class m0 finding" in report
    assert playbook("share_info/audit_role.yml", audit_shares_fail_on="none").rc == 0
    assert aws.write_calls() == []


def key_policy(aws, key_arn: str) -> Dict[str, Any]:
    return json.loads(aws.owner.client("kms").get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])


def test_the_audit_role_repairs_what_it_may_and_leaves_foreign_statements(aws, playbook):
    owner, comprehend = aws.owner, aws.owner.client("comprehend")
    gone = model_arn(aws, "document-classifier", "gone", "v1")
    foreign = [
        {"Sid": "AnyModel", "Effect": "Allow", "Principal": {"AWS": OTHER_ROOT}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringLike": {CONTEXT_KEY: "arn:aws:comprehend:*"}}},
        {"Sid": "ThirdGone", "Effect": "Allow", "Principal": {"AWS": THIRD_ROOT}, "Action": ACTIONS, "Resource": "*",
         "Condition": {"StringEquals": {CONTEXT_KEY: gone}}},
    ]
    key = aws.create_key(owner, {"Version": "2012-10-17", "Statement": [owner_statement(owner.account_id), *foreign]})
    unshared = aws.create_model(owner, name="unshared", version="v1", kms_key_id=key)
    assert playbook("share/share.yml", share_model_arns=[unshared], share_model_principals=[aws.importer.account_id]).rc == 0
    comprehend.delete_resource_policy(ResourceArn=unshared)  # unshared by hand: the key grant stays
    failing = aws.create_model(owner, name="failing", version="v1", kms_key_id=key, policy=import_policy(THIRD_ROOT))
    aws.create_model(owner, name="gone", version="v1", kms_key_id=key)
    comprehend.delete_document_classifier(DocumentClassifierArn=gone)
    left = [("broad_key_access", None, OTHER_ROOT), ("stale_key_access", gone, THIRD_ROOT)]
    aws.reset_calls()

    planned = playbook("share_info/audit_role.yml", check=True, audit_shares_fix=True, audit_shares_fail_on="none")
    assert planned.rc == 0, planned.stdout
    assert aws.write_calls() == []
    plan = planned.result("audit_fact")["repairs"]
    assert [(item["model_arn"], item["principal"]) for item in plan["granted"]] == [(failing, THIRD_ROOT)]
    assert [(item["model_arn"], item["principal"]) for item in plan["revoked"]] == [(unshared, IMPORTER_ROOT)]
    assert found(planned.result("audit_fact")) == sorted(left + [("import_will_fail", failing, THIRD_ROOT), ("stale_key_access", unshared, IMPORTER_ROOT)])

    repaired = playbook("share_info/audit_role.yml", audit_shares_fix=True)
    assert repaired.rc == 0, repaired.stdout  # what is left is of medium severity
    fact = repaired.result("audit_fact")
    assert found(fact) == sorted(left)
    assert len(fact["repairs"]["granted"]) == 1 and len(fact["repairs"]["revoked"]) == 1
    statements = key_policy(aws, key)["Statement"]
    assert all(statement in statements for statement in foreign), "foreign statements are untouched"
    assert "Repaired before this audit" in (repaired.output_dir / "share-audit.md").read_text(encoding="utf-8")

    aws.reset_calls()
    again = playbook("share_info/audit_role.yml", audit_shares_fix=True)
    assert again.rc == 0 and found(again.result("audit_fact")) == sorted(left)
    assert again.result("audit_fact")["repairs"] == {"granted": [], "revoked": []}
    assert aws.write_calls() == []
