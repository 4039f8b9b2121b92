"""Integration tests of the seed.comprehend.share_model role against the emulator: real playbook runs, judged
by what AWS holds afterwards, the handoff, and the emulator's call log."""

from __future__ import annotations

import json
import stat
from typing import Any, Dict, Optional

IMPORTER_ROOT = "arn:aws:iam::444455556666:root"
FOREIGN = {"Sid": "KeepMe", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
           "Principal": {"AWS": "arn:aws:iam::999988887777:root"}}


def resource_policy(aws, arn: str) -> Optional[Dict[str, Any]]:
    client = aws.owner.client("comprehend")
    try:
        return json.loads(client.describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
    except client.exceptions.ResourceNotFoundException:
        return None


def key_policy(aws, key_arn: str) -> Dict[str, Any]:
    return json.loads(aws.owner.client("kms").get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])


def two_models(aws):
    """A classifier under a customer managed key and a recognizer under an AWS owned key, both trained."""
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    return key, classifier, recognizer


def share(playbook, aws, arns, tmp_path=None, **extra):
    variables = {"share_model_arns": arns, "share_model_principals": [aws.importer.account_id]}
    if tmp_path is not None:
        variables["share_model_handoff_path"] = str(tmp_path / "handoff.json")
    variables.update(extra)
    return playbook("share/share.yml", **variables)


def test_share_both_kinds_emits_the_handoff_and_a_rerun_writes_nothing(aws, playbook, tmp_path):
    key, classifier, recognizer = two_models(aws)
    aws.reset_calls()
    run = share(playbook, aws, [classifier, recognizer], tmp_path)
    assert run.rc == 0, run.stdout

    handoff = run.result("handoff_fact")
    assert handoff == [
        {"schema_version": 1, "model_arn": classifier, "model_type": "document_classifier", "region": "us-west-2",
         "source_account": "111122223333", "principals": ["444455556666"], "key_type": "customer_managed",
         "kms_key_arn": key,
         "importer_role_policy": {"Version": "2012-10-17", "Statement": [{
             "Sid": "UseModelKeys", "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": [key]}]}},
        {"schema_version": 1, "model_arn": recognizer, "model_type": "entity_recognizer", "region": "us-west-2",
         "source_account": "111122223333", "principals": ["444455556666"], "key_type": "aws_owned",
         "importer_role_policy": None},
    ]
    handoff_file = tmp_path / "handoff.json"
    assert stat.S_IMODE(handoff_file.stat().st_mode) == 0o600
    assert json.loads(handoff_file.read_text(encoding="utf-8")) == handoff
    assert "is shared with 444455556666. Key: customer managed" in run.stdout

    for arn in (classifier, recognizer):
        assert IMPORTER_ROOT in json.dumps(resource_policy(aws, arn))
    granted = json.dumps(key_policy(aws, key))
    assert classifier in granted and IMPORTER_ROOT in granted and recognizer not in granted
    kms_writes = [call for call in aws.write_calls(aws.owner.account_id) if call["service"] == "kms"]
    assert [call["operation"] for call in kms_writes] == ["PutKeyPolicy"], "one key-policy write per key"

    aws.reset_calls()
    rerun = share(playbook, aws, [classifier, recognizer], tmp_path)
    assert rerun.rc == 0, rerun.stdout
    assert "changed=0" in rerun.stdout, rerun.stdout
    assert aws.write_calls() == []


def test_unshare_removes_exactly_what_was_shared(aws, playbook):
    key, classifier, recognizer = two_models(aws)
    aws.owner.client("comprehend").put_resource_policy(
        ResourceArn=classifier, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [FOREIGN]}))
    key_before = key_policy(aws, key)
    assert share(playbook, aws, [classifier, recognizer]).rc == 0

    run = share(playbook, aws, [classifier, recognizer], share_model_state="absent")
    assert run.rc == 0, run.stdout
    assert key_policy(aws, key) == key_before
    assert resource_policy(aws, classifier)["Statement"] == [FOREIGN]
    assert resource_policy(aws, recognizer) is None


def test_check_mode_writes_nothing(aws, playbook):
    _key, classifier, recognizer = two_models(aws)
    aws.reset_calls()
    run = playbook("share/share.yml", check=True, share_model_arns=[classifier, recognizer],
                   share_model_principals=["444455556666"])
    assert run.rc == 0, run.stdout
    assert aws.write_calls() == []
    assert resource_policy(aws, classifier) is None


def test_untrained_model_is_refused_before_any_write(aws, playbook):
    trained = aws.create_model(aws.owner, name="ready", version="v1")
    training = aws.create_model(aws.owner, name="busy", version="v1", status="TRAINING")
    aws.reset_calls()
    run = share(playbook, aws, [trained, training])
    assert run.rc != 0
    assert f"Only trained models can be shared; not trained: {training}" in run.stdout
    assert aws.write_calls() == []


def test_aws_managed_key_is_refused_before_any_write(aws, playbook):
    model = aws.create_model(aws.owner, name="managed", version="v1", kms_key_id="alias/aws/comprehend")
    aws.reset_calls()
    run = share(playbook, aws, [model])
    assert run.rc != 0
    assert "encrypted with an AWS managed key, whose key policy" in run.stdout and model in run.stdout
    assert aws.write_calls() == []


def test_disabled_key_is_refused_before_any_write(aws, playbook):
    """An importer couldn't use a disabled key: the role refuses before the first resource policy, not after."""
    key = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="locked", version="v1", kms_key_id=key)
    aws.owner.client("kms").disable_key(KeyId=key.split("/")[-1])  # moto takes only the key ID here
    aws.reset_calls()
    run = share(playbook, aws, [model])
    assert run.rc != 0
    assert f"{model} (key {key}: Disabled)" in run.stdout and "Enable the key" in run.stdout
    assert aws.write_calls() == []


def test_model_in_another_region_is_refused(aws, playbook):
    elsewhere = "arn:aws:comprehend:eu-west-1:111122223333:document-classifier/tickets/version/v1"
    run = share(playbook, aws, [elsewhere])
    assert run.rc != 0
    assert "is in region eu-west-1, but the connection is for region us-west-2" in run.stdout
    assert aws.write_calls() == []


def test_argument_spec_rejects_bad_input(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1")
    aws.reset_calls()
    missing = playbook("share/share.yml", share_model_arns=[model])
    assert missing.rc != 0 and "missing required arguments: share_model_principals" in missing.stdout
    bad_state = share(playbook, aws, [model], share_model_state="gone")
    assert bad_state.rc != 0 and "share_model_state" in bad_state.stdout and "present, absent" in bad_state.stdout
    assert aws.write_calls() == []
