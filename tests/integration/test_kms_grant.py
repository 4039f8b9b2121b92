# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration tests of seed.comprehend.kms_comprehend_grant: real ansible-playbook runs against the emulator
(fixtures in conftest.py), judged by the key policy KMS holds afterwards and by the emulator's call log."""

from __future__ import annotations

import json
import re

from helpers_kms import IMPORTER, IMPORTER_ROOT, OWNER, READS, REGION, WRITES
from helpers_kms import condition_values, foreign_statements, guide_statements, key_policy, kms_operations
from helpers_kms import model_arn, own_statements, without_own_sids

from conftest import assume_account

GUIDE_MODEL = model_arn("classifierName", "1")
ROLE = "arn:aws:iam::123456789012:role/team/ModelImporter"
# Statements of others that every run must leave alone.
DEFAULT_STATEMENT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                     "Action": "kms:*", "Resource": "*"}
KEY_ADMINS = {"Sid": "Allow administration of the key", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{OWNER}:role/KeyAdmin"},
              "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Revoke*"], "Resource": "*"}
BY_HAND = {"Sid": "RecognizersSharedByHand", "Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "kms:Decrypt",
           "Resource": "*", "Condition": {"StringLike": {"aws:SourceArn": f"arn:aws:comprehend:{REGION}:{OWNER}:entity-recognizer/*"}}}


def test_share_and_revoke_the_guide_example(aws, playbook):
    """Done when: the default key policy plus the guide's first example; revoking restores the default policy.

    Check mode, reruns and the second revoke only read; the diff shows the policy before and after."""
    key_arn = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="classifierName", version="1", kms_key_id=key_arn)
    assert model == GUIDE_MODEL
    default = key_policy(aws.owner, key_arn)
    aws.reset_calls()

    run = playbook("kms_grant/share_and_revoke.yml", key_id=key_arn, model_arn=model)

    assert run.rc == 0, run.stdout
    assert kms_operations(aws) == READS + WRITES + READS + WRITES + READS
    grant = run.result("grant")
    assert grant["changed"] and grant["key_arn"] == key_arn and grant["key_manager"] == "CUSTOMER"
    assert grant["grants"] == [{"model_arn": GUIDE_MODEL, "principals": [IMPORTER_ROOT]}]
    expected = dict(default, Statement=default["Statement"] + guide_statements(IMPORTER_ROOT, GUIDE_MODEL))
    assert without_own_sids(grant["policy"]) == expected
    assert all(re.match(r"^SeedComprehendImport[A-Za-z0-9]+$", statement["Sid"]) for statement in own_statements(grant["policy"]))
    assert grant["diff"] == {"before": default, "after": grant["policy"]}

    check = run.result("grant_check")
    assert check["changed"] and check["policy"] == grant["policy"] and check["diff"]["before"] == default
    again = run.result("grant_again")
    assert not again["changed"] and again["policy"] == grant["policy"] and "diff" not in again

    revoke = run.result("revoke")
    assert revoke["changed"] and revoke["grants"] == [] and revoke["policy"] == default
    assert revoke["diff"] == {"before": grant["policy"], "after": default}
    assert not run.result("revoke_again")["changed"]
    assert key_policy(aws.owner, key_arn) == default


def test_models_and_principals_come_and_go(aws, playbook):
    """A second model and principal, one principal removed, one model removed, then all: the policy of others
    stays as it was at every step, and removing everything gives back exactly the original document."""
    original = {"Version": "2012-10-17", "Id": "key-consolepolicy-3",
                "Statement": [DEFAULT_STATEMENT, KEY_ADMINS, BY_HAND]}
    # KMS takes only principals that exist; this test is not about how long IAM takes to know them.
    aws.set_options(iam_propagation_seconds=0)
    aws.create_role(aws.owner, "KeyAdmin")
    assert aws.create_role(assume_account(aws.url, "123456789012"), "ModelImporter", path="/team/") == ROLE
    key_arn = aws.create_key(aws.owner, policy=original)
    model_1, model_2 = model_arn("classifierName", "1"), model_arn("products", "v2", kind="entity-recognizer")

    run = playbook("kms_grant/evolve.yml", key_id=key_arn, model_1=model_1, model_2=model_2, role=ROLE)

    assert run.rc == 0, run.stdout
    steps = {name: run.result(name) for name in
             ("share_model_1", "share_model_2", "add_role", "remove_account", "remove_model_2", "remove_all")}
    both = [ROLE, IMPORTER_ROOT]
    assert {name: result["grants"] for name, result in steps.items()} == {
        "share_model_1": [{"model_arn": model_1, "principals": [IMPORTER_ROOT]}],
        "share_model_2": [{"model_arn": model_1, "principals": [IMPORTER_ROOT]}, {"model_arn": model_2, "principals": both}],
        "add_role": [{"model_arn": model_1, "principals": both}, {"model_arn": model_2, "principals": both}],
        "remove_account": [{"model_arn": model_1, "principals": [ROLE]}, {"model_arn": model_2, "principals": both}],
        "remove_model_2": [{"model_arn": model_1, "principals": [ROLE]}],
        "remove_all": [],
    }
    assert all(result["changed"] for result in steps.values())
    # Models with the same principals share one pair of statements.
    assert [len(own_statements(result["policy"])) for result in steps.values()] == [2, 4, 2, 4, 2, 0]
    assert [condition_values(statement) for statement in own_statements(steps["add_role"]["policy"])] == [
        {"StringEquals": sorted([model_1, model_2])}] * 2
    for result in steps.values():
        assert foreign_statements(result["policy"]) == original["Statement"]
        assert result["policy"]["Statement"][:3] == original["Statement"]
    assert key_policy(aws.owner, key_arn) == original


def test_key_by_alias_alias_arn_and_key_id_and_a_version_pattern(aws, playbook):
    key_arn = aws.create_key(aws.owner)
    key_uuid = key_arn.rsplit("/", 1)[1]
    aws.owner.client("kms").create_alias(AliasName="alias/comprehend-models", TargetKeyId=key_uuid)
    pattern = model_arn("classifierName", "*")
    aws.reset_calls()

    run = playbook("kms_grant/key_forms.yml", alias_name="alias/comprehend-models", key_uuid=key_uuid, model_arn=GUIDE_MODEL,
                   alias_arn=f"arn:aws:kms:{REGION}:{OWNER}:alias/comprehend-models", pattern=pattern)

    assert run.rc == 0, run.stdout
    results = {name: run.result(name) for name in ("by_alias_name", "by_alias_arn", "by_key_id", "by_pattern")}
    assert [result["changed"] for result in results.values()] == [True, False, False, True]
    assert {result["key_arn"] for result in results.values()} == {key_arn}
    assert kms_operations(aws).count("PutKeyPolicy") == 2
    by_pattern = results["by_pattern"]
    assert f"[WARNING]: model_arns: {pattern!r} is a pattern: the grant covers every model version it matches" in run.stdout
    assert by_pattern["grants"] == [{"model_arn": pattern, "principals": [IMPORTER_ROOT]},
                                    {"model_arn": GUIDE_MODEL, "principals": [IMPORTER_ROOT]}]
    assert [condition_values(statement) for statement in own_statements(key_policy(aws.owner, key_arn))] == [
        {"StringEquals": [GUIDE_MODEL]}, {"StringEquals": [GUIDE_MODEL]}, {"StringLike": [pattern]}, {"StringLike": [pattern]}]


def test_refusals_write_nothing(aws, playbook):
    """An AWS managed key, a disabled key, a model outside the key's region (the account check is the same code,
    unit-tested), a wildcard principal, an unknown key: each is refused with a message that says why, and nothing
    is written."""
    key_arn = aws.create_key(aws.owner)
    disabled = aws.create_key(aws.owner)
    aws.owner.client("kms").disable_key(KeyId=disabled)
    before = key_policy(aws.owner, key_arn)
    aws.reset_calls()

    run = playbook("kms_grant/refusals.yml", key_id=key_arn, disabled_key=disabled, model_arn=GUIDE_MODEL)

    assert run.rc == 0, run.stdout
    messages = {name: run.result(name) for name in
                ("aws_managed_key", "disabled_key", "other_region", "wildcard_principal", "unknown_key")}
    assert all(result["failed"] for result in messages.values())
    managed = messages["aws_managed_key"]
    assert "is an AWS managed key: its key policy can't be changed, so a model encrypted with it can't be shared" in managed["msg"]
    assert managed["key_manager"] == "AWS" and managed["key_arn"].startswith(f"arn:aws:kms:{REGION}:{OWNER}:key/")
    assert f"The key {disabled} is in state Disabled, not Enabled" in messages["disabled_key"]["msg"]
    assert messages["other_region"]["msg"].startswith(f"model_arns: {GUIDE_MODEL.replace(REGION, 'eu-west-1')!r} is in region 'eu-west-1'")
    assert messages["wildcard_principal"]["msg"].startswith("principals: the wildcard '*' is refused")
    assert messages["unknown_key"]["msg"] == "key_id: KMS knows no key 'alias/no-such-key' in this account and region"
    assert aws.write_calls() == [] and "PutKeyPolicy" not in kms_operations(aws)
    assert key_policy(aws.owner, key_arn) == before


def test_a_rerun_on_a_key_disabled_since_fails_naming_the_key_state(aws, playbook):
    """Every run describes the key, a rerun that finds every grant in place too: once the key is disabled, the rerun
    fails saying so (an importer couldn't use the key) instead of reporting the grants as fine, and writes nothing."""
    key_arn = aws.create_key(aws.owner)
    options = {"key_id": key_arn, "model_arns": [GUIDE_MODEL], "principals": [IMPORTER]}
    assert playbook("kms_grant/grant.yml", **options).rc == 0
    granted = key_policy(aws.owner, key_arn)
    aws.owner.client("kms").disable_key(KeyId=key_arn)
    aws.reset_calls()

    run = playbook("kms_grant/grant.yml", **options)

    assert run.rc != 0
    assert f"The key {key_arn} is in state Disabled, not Enabled" in run.stdout, run.stdout
    assert kms_operations(aws) == ["DescribeKey"]
    assert key_policy(aws.owner, key_arn) == granted


def test_150_models_fit_and_400_are_refused_before_any_write(aws, playbook):
    key_arn, other_key_arn = aws.create_key(aws.owner), aws.create_key(aws.owner)
    fit = [model_arn(f"support-tickets-{number // 10:02d}", f"v{number % 10}") for number in range(150)]
    too_many = [model_arn("customer-support-ticket-classifier", f"release-{number:04d}") for number in range(400)]
    other_before = key_policy(aws.owner, other_key_arn)
    aws.reset_calls()

    run = playbook("kms_grant/many_models.yml", key_id=key_arn, other_key_id=other_key_arn,
                   models_that_fit=fit, models_that_do_not_fit=too_many)

    assert run.rc == 0, run.stdout
    result = run.result("fit")
    assert result["changed"] and len(result["grants"]) == 150
    stored = key_policy(aws.owner, key_arn)
    assert stored == result["policy"] and len(own_statements(stored)) == 2
    refused = run.result("too_many")
    pattern = model_arn("customer-support-ticket-classifier", "*")
    match = re.search(r"over the KMS limit of 32768 bytes: only (\d+) of the 400 \(principal, model\) grants fit\. Nothing was written\. "
                      r"Grant a pattern instead of single models, such as '(.*)'", refused["msg"])
    assert refused["failed"] and match and 0 < int(match.group(1)) < 400 and match.group(2) == pattern
    assert refused["grants_that_fit"] == int(match.group(1)) and refused["suggested_pattern"] == pattern
    assert kms_operations(aws).count("PutKeyPolicy") == 1
    assert key_policy(aws.owner, other_key_arn) == other_before


def test_throttling_and_internal_errors_are_retried(aws, playbook):
    key_arn = aws.create_key(aws.owner)
    default = key_policy(aws.owner, key_arn)
    aws.reset_calls()
    aws.set_faults(0.5, operations=["kms:*"], seed=4)

    run = playbook("kms_grant/grant.yml", key_id=key_arn, model_arns=[GUIDE_MODEL], principals=[IMPORTER])

    aws.set_faults(0)
    assert run.rc == 0, run.stdout
    assert any(call.get("fault") for call in aws.calls())
    result = run.result("grant")
    assert result["changed"] and result["grants"] == [{"model_arn": GUIDE_MODEL, "principals": [IMPORTER_ROOT]}]
    assert without_own_sids(key_policy(aws.owner, key_arn)) == dict(default, Statement=default["Statement"] + guide_statements(IMPORTER_ROOT, GUIDE_MODEL))


# ---------------------------------------------------------------- statements that only look like the module's own

PARTNER_ROOT = "arn:aws:iam::210987654321:root"
# The partner may only decrypt, by a statement of someone else that has the module's Sid prefix and shape but not a
# Sid that digests its content.
DECRYPT_ONLY = {"Sid": "SeedComprehendImportDecrypt0123456789abcdef", **guide_statements(PARTNER_ROOT, GUIDE_MODEL)[0]}


def test_a_look_alike_statement_neither_gains_nor_loses_a_grant(aws, playbook):
    """With purge_principals false the partner gains no kms:CreateGrant; with true it keeps its kms:Decrypt: the
    statement stays as it was, where it was, and the module warns that it left it alone."""
    original = {"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [DEFAULT_STATEMENT, DECRYPT_ONLY]}
    key_arn = aws.create_key(aws.owner, policy=original)

    run = playbook("kms_grant/look_alikes.yml", key_id=key_arn, model_arns=[GUIDE_MODEL], principals=[IMPORTER],
                   runs=[{"name": "add", "purge_principals": False}, {"name": "purge", "purge_principals": True}])

    assert run.rc == 0, run.stdout
    for name in ("add", "purge"):
        result = run.result(name)
        assert not result.get("failed") and result["grants"] == [{"model_arn": GUIDE_MODEL, "principals": [IMPORTER_ROOT]}]
        assert result["policy"]["Statement"][:2] == original["Statement"]
        assert [statement for statement in result["policy"]["Statement"] if PARTNER_ROOT in str(statement)] == [DECRYPT_ONLY]
    assert run.result("add")["changed"] and not run.result("purge")["changed"]
    assert f"[WARNING]: The key policy statement {DECRYPT_ONLY['Sid']!r} carries this module's Sid prefix" in run.stdout
    stored = key_policy(aws.owner, key_arn)
    assert stored == run.result("purge")["policy"]
    assert without_own_sids(dict(stored, Statement=stored["Statement"][2:])) == dict(
        original, Statement=guide_statements(IMPORTER_ROOT, GUIDE_MODEL))


def test_a_statement_of_others_holding_a_sid_the_module_would_write_is_refused_before_any_write(aws, playbook):
    """The module's Decrypt statement, edited by hand to name the partner, keeps its Sid: rewriting the pair would
    write that Sid twice (KMS refuses duplicate Sids) or change a statement the module can't prove it wrote."""
    key_arn = aws.create_key(aws.owner)
    options = {"key_id": key_arn, "model_arns": [GUIDE_MODEL], "principals": [IMPORTER]}
    assert playbook("kms_grant/look_alikes.yml", runs=[{"name": "share"}], **options).rc == 0
    edited = key_policy(aws.owner, key_arn)
    decrypt = own_statements(edited)[0]
    decrypt["Principal"] = {"AWS": PARTNER_ROOT}
    aws.owner.client("kms").put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps(edited))
    aws.reset_calls()

    run = playbook("kms_grant/look_alikes.yml", runs=[{"name": "again"}], **options)

    assert run.rc == 0, run.stdout
    refused = run.result("again")
    assert refused["failed"] and refused["sid"] == decrypt["Sid"]
    assert refused["msg"] == (
        f"The key policy statement {decrypt['Sid']!r} has the Sid this module would give one of its own statements, but "
        "other content: the module only changes statements it can prove it wrote, and KMS requires each Sid of a key "
        "policy to be unique. Nothing was written. Give that statement another Sid, or remove it.")
    assert "Traceback" not in run.stdout and "PutKeyPolicy" not in kms_operations(aws)
    assert key_policy(aws.owner, key_arn) == edited
