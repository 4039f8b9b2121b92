"""A user's first contact: the README's two commands as typed, the collection's share and import playbooks run from a
folder of the user's own with a relative handoff path (written by the owner's play, read by the importer's), the
message a play without credentials gives, and the audit play run from the user's folder on an account with drift,
whose report is the docs' example (docs/audit-example/).

The example must agree with the run, give or take what changes from run to run (the KMS key IDs, the time the audit
was taken): when it doesn't, the test rewrites it and fails, so the example in a commit comes from a run that passed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from conftest import REPO
from playbook_env import BIN, playbook_env

EXAMPLE = REPO / "docs" / "audit-example"
# The example's stand-ins for what differs between runs: the AWS documentation's sample key IDs, and a fixed time.
EXAMPLE_KEY_IDS = ("1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321")
EXAMPLE_TAKEN_AT = "2026-01-15T09:30:00Z"
THIRD_ROOT = "arn:aws:iam::123456789012:root"
OTHER_ROOT = "arn:aws:iam::999988887777:root"


def run_from(folder: Path, playbook: str, variables: Dict[str, Any], *extra: str,
             env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """ansible-playbook seed.comprehend.PLAYBOOK *extra -e @vars.json, run in ``folder`` (``env`` added)."""
    vars_file = folder / f"{playbook}-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    command = [str(BIN / "ansible-playbook"), f"seed.comprehend.{playbook}", *extra, "-e", f"@{vars_file.name}"]
    return subprocess.run(command, cwd=folder, env=dict(playbook_env(folder), **(env or {})), capture_output=True, text=True,
                          check=False, timeout=600)


# The emulator's two readings of whose identity KMS sees during ImportModel (tests/emulator/README.md).
@pytest.mark.parametrize("identity", ["data_access_role", "forward_access"])
def test_share_and_import_with_a_relative_handoff_path_from_the_users_folder(aws, tmp_path, identity):
    aws.set_options(import_kms_identity=identity, iam_propagation_seconds=0.5)
    key_arn = aws.create_key(aws.owner)
    models = [aws.create_model(aws.owner, kms_key_id=key_arn), aws.create_model(aws.owner, "entity-recognizer")]
    folder = tmp_path / "my-share"
    folder.mkdir()

    share_vars = {"share_model_arns": models, "share_model_principals": [aws.importer.account_id],
                  "share_model_aws": aws.owner.connection}
    shared = run_from(folder, "share", share_vars, "-e", "share_model_handoff_path=handoff.json")
    assert shared.returncode == 0, shared.stdout + shared.stderr
    handoff = json.loads((folder / "handoff.json").read_text(encoding="utf-8"))
    assert sorted(entry["model_arn"] for entry in handoff) == sorted(models)

    imported = run_from(folder, "import", {"import_model_aws": aws.importer.connection, "import_model_poll_delay": 1},
                        "-e", "import_model_handoff_path=handoff.json")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    comprehend = aws.importer.client("comprehend")
    sources = [props["SourceModelArn"] for props in comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]]
    sources += [props["SourceModelArn"] for props in comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]]
    assert sorted(sources) == sorted(models)


def test_a_share_without_credentials_says_where_to_give_them(aws, tmp_path):
    model = aws.create_model(aws.owner)
    connection = {name: value for name, value in aws.owner.connection.items() if name in ("endpoint_url", "region")}
    folder = tmp_path / "no-credentials"
    folder.mkdir()
    # Nothing else to find credentials in: no instance metadata, no shared files.
    hermetic = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none"),
                "AWS_CONFIG_FILE": str(folder / "none")}
    aws.reset_calls()
    run = run_from(folder, "share", {"share_model_arns": [model], "share_model_principals": [aws.importer.account_id],
                                     "share_model_aws": connection}, env=hermetic)
    assert run.returncode != 0
    assert "no usable AWS credentials were found (NoCredentialsError)" in run.stdout, run.stdout
    assert "run again once AWS answers" not in run.stdout
    assert aws.write_calls() == []


def import_policy(*principals: str) -> Dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Import", "Effect": "Allow", "Action": "comprehend:ImportModel",
                                                    "Resource": "*", "Principal": {"AWS": list(principals)}}]}


def drifted_account(aws, folder: Path) -> List[str]:
    """The owner's models shared by the share play, then changed by hand until each kind of drift is there; the keys'
    ARNs, in the order the audit lists them (created first, then given their roles in ARN order)."""
    owner, importer = aws.owner, aws.importer.account_id
    keys = sorted(aws.create_key(owner) for _example_id in EXAMPLE_KEY_IDS)
    tickets_key, legacy_key = keys
    comprehend, kms = owner.client("comprehend"), owner.client("kms")
    shared = [aws.create_model(owner, name="support-tickets", version="v1", kms_key_id=tickets_key),
              aws.create_model(owner, name="support-tickets", version="v2", kms_key_id=tickets_key),
              aws.create_model(owner, name="retired-tickets", version="v1", kms_key_id=tickets_key),
              aws.create_model(owner, name="legacy-routing", version="v4", kms_key_id=legacy_key)]
    run = run_from(folder, "share", {"share_model_arns": shared, "share_model_principals": [importer],
                                     "share_model_aws": owner.connection})
    assert run.returncode == 0, run.stdout + run.stderr
    _tickets_v1, tickets_v2, retired, _legacy = shared
    # Shared by hand with a third account, whose key access nobody granted: its import will fail.
    policy = json.loads(comprehend.describe_resource_policy(ResourceArn=tickets_v2)["ResourcePolicy"])
    policy["Statement"][0]["Principal"]["AWS"] = [policy["Statement"][0]["Principal"]["AWS"], THIRD_ROOT]
    comprehend.put_resource_policy(ResourceArn=tickets_v2, ResourcePolicy=json.dumps(policy),
                                   PolicyRevisionId=comprehend.describe_resource_policy(ResourceArn=tickets_v2)["PolicyRevisionId"])
    # Unshared by hand: the key grant stays behind.
    comprehend.delete_resource_policy(ResourceArn=retired)
    # A statement in the style of the AWS guide's alternatives: any Comprehend model, for another account.
    key_policy = json.loads(kms.get_key_policy(KeyId=tickets_key, PolicyName="default")["Policy"])
    key_policy["Statement"].append({"Sid": "AnyComprehendModel", "Effect": "Allow", "Principal": {"AWS": OTHER_ROOT},
                                    "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": "*",
                                    "Condition": {"StringLike": {"kms:EncryptionContext:aws:comprehend:arn": "arn:aws:comprehend:*"}}})
    kms.put_key_policy(KeyId=tickets_key, PolicyName="default", Policy=json.dumps(key_policy))
    kms.disable_key(KeyId=legacy_key)
    # Shared with every account, and shared before its training ended.
    aws.create_model(owner, model_type="entity-recognizer", name="product-names", version="v3", policy=import_policy("*"))
    aws.create_model(owner, name="intents", version="v2", status="TRAINING", policy=import_policy(f"arn:aws:iam::{importer}:root"))
    return keys


def normalised(text: str, keys: List[str], taken_at: str) -> str:
    """The report as the example shows it: the docs' key IDs for this run's, the example's time for the run's."""
    for key, example_id in zip(keys, EXAMPLE_KEY_IDS):
        text = text.replace(key.rsplit("/", 1)[1], example_id)
    return text.replace(taken_at, EXAMPLE_TAKEN_AT)


def test_the_audit_play_from_the_users_folder_finds_the_drift_and_writes_the_docs_example(aws, tmp_path):
    folder = tmp_path / "my-audit"
    folder.mkdir()
    keys = drifted_account(aws, folder)
    aws.reset_calls()

    audited = run_from(folder, "audit", {"audit_shares_aws": aws.owner.connection})
    assert audited.returncode != 0, "findings of severity high fail the play (audit_shares_fail_on's default)"
    assert "finding(s) of severity high or above" in audited.stdout, audited.stdout + audited.stderr
    assert aws.write_calls() == [], "the audit only reads"
    audit = json.loads((folder / "share-audit.json").read_text(encoding="utf-8"))
    kinds = {(finding["type"], finding["severity"]) for finding in audit["findings"]}
    assert kinds == {("import_will_fail", "high"), ("wildcard_principal", "high"), ("key_disabled_or_pending_deletion", "high"),
                     ("stale_key_access", "medium"), ("broad_key_access", "medium"), ("shared_but_not_trained", "medium")}, kinds
    assert {finding["principal"] for finding in audit["findings"] if finding["type"] == "import_will_fail"} == {THIRD_ROOT}
    assert {finding["principal"] for finding in audit["findings"] if finding["type"] == "broad_key_access"} == {OTHER_ROOT}
    for finding in audit["findings"]:
        assert f"[{finding['severity']}] {finding['type']}" in audited.stdout or finding["severity"] != "high", finding

    mismatched = []
    for name in ("share-audit.md", "share-audit.json"):
        made = normalised((folder / name).read_text(encoding="utf-8"), keys, audit["taken_at"])
        example = EXAMPLE / name
        if not example.exists() or example.read_text(encoding="utf-8") != made:
            example.parent.mkdir(exist_ok=True)
            example.write_text(made, encoding="utf-8")
            mismatched.append(str(example.relative_to(REPO)))

    # What docs/audit.md says the repair does on this account: one grant, one revocation; the rest stays, and fails.
    repaired = run_from(folder, "audit", {"audit_shares_aws": aws.owner.connection, "audit_shares_fix": True})
    after = json.loads((folder / "share-audit.json").read_text(encoding="utf-8"))
    assert repaired.returncode != 0 and {finding["severity"] for finding in after["findings"]} == {"high", "medium"}
    assert [(item["type"], item["principal"]) for item in after["repairs"]["granted"] + after["repairs"]["revoked"]] == [
        ("import_will_fail", THIRD_ROOT), ("stale_key_access", f"arn:aws:iam::{aws.importer.account_id}:root")]
    assert sorted(finding["type"] for finding in after["findings"]) == sorted(
        ["wildcard_principal", "key_disabled_or_pending_deletion", "broad_key_access", "shared_but_not_trained"])
    assert not mismatched, f"{', '.join(mismatched)} disagreed with this run: rewritten, review and commit"


def test_the_audit_play_refuses_a_report_directory_that_does_not_exist(aws, tmp_path):
    aws.reset_calls()
    run = run_from(tmp_path, "audit", {"audit_shares_aws": aws.owner.connection, "audit_shares_report_dir": "reports",
                                       "audit_shares_fix": True})
    assert run.returncode != 0
    assert f"audit_shares_report_dir reports ({tmp_path.resolve() / 'reports'}) is not an existing directory" in run.stdout, run.stdout
    assert aws.calls() == [], "refused before anything is read"
