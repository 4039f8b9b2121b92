"""End-to-end tests across two accounts: the owner shares with share_model, the importer imports with
import_model from the handoff file, and comprehend_import_model's refusals say what the owner must do."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def shared(aws, playbook, tmp_path):
    """The owner's classifier (customer managed key) and recognizer (AWS owned key), shared with the importer."""
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    handoff = tmp_path / "handoff.json"
    variables = {"share_model_arns": [classifier, recognizer], "share_model_principals": [aws.importer.account_id],
                 "share_model_handoff_path": str(handoff)}
    run = playbook("share/share.yml", **variables)
    assert run.rc == 0, run.stdout
    return {"key": key, "classifier": classifier, "recognizer": recognizer, "handoff": handoff, "variables": variables}


def describe_copy(aws, arn: str) -> dict:
    comprehend = aws.importer.client("comprehend")
    if ":document-classifier/" in arn:
        return comprehend.describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"]
    return comprehend.describe_entity_recognizer(EntityRecognizerArn=arn)["EntityRecognizerProperties"]


def test_share_then_import_both_models_and_rerun_both_plays_without_writes(aws, playbook, shared):
    names = {shared["classifier"]: {"model_name": "tickets-copy", "version_name": "v1"}}
    run = playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(shared["handoff"]),
                   import_model_names=names)
    assert run.rc == 0, run.stdout
    assert "FAILED - RETRYING" in run.stdout, "the wait shows a retry message per poll"

    imported = {model["source_model_arn"]: model for model in run.result("imported")}
    assert set(imported) == {shared["classifier"], shared["recognizer"]}
    classifier_copy = imported[shared["classifier"]]["arn"]
    recognizer_copy = imported[shared["recognizer"]]["arn"]
    assert classifier_copy == "arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets-copy/version/v1"
    assert recognizer_copy == "arn:aws:comprehend:us-west-2:444455556666:entity-recognizer/products/version/v3"  # the source's version
    for source, copy in ((shared["classifier"], classifier_copy), (shared["recognizer"], recognizer_copy)):
        properties = describe_copy(aws, copy)
        assert properties["Status"] == "TRAINED"
        assert properties["SourceModelArn"] == source
    role = aws.importer.client("iam").get_role(RoleName="seed-comprehend-import")["Role"]
    assert "comprehend.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])
    assert describe_copy(aws, classifier_copy)["DataAccessRoleArn"] == role["Arn"]

    aws.reset_calls()
    assert playbook("share/share.yml", **shared["variables"]).rc == 0
    rerun = playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(shared["handoff"]),
                     import_model_names=names)
    assert rerun.rc == 0, rerun.stdout
    assert "changed=0" in rerun.stdout, rerun.stdout
    assert aws.write_calls() == []


def test_import_refused_for_an_account_the_policy_does_not_name(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1")
    assert playbook("share/share.yml", share_model_arns=[model], share_model_principals=["123456789012"]).rc == 0
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=model)
    assert run.rc != 0
    assert (f"account 444455556666 is not authorised to import {model}: the owner (account 111122223333) must share it"
            in run.stdout), run.stdout
    assert [call for call in aws.write_calls(aws.importer.account_id) if call["fault"] is None and call["status"] < 300] == []


def test_import_of_a_cmk_model_refused_once_the_key_grant_is_removed(aws, playbook, shared):
    only_classifier = dict(shared["variables"], share_model_arns=[shared["classifier"]])
    revoke = playbook("share/share.yml", **dict(only_classifier, share_model_state="absent"))
    assert revoke.rc == 0, revoke.stdout
    # The resource policy alone, without the key grant.
    reshare = playbook("share/share.yml", **dict(only_classifier, share_model_manage_kms=False))
    assert reshare.rc == 0, reshare.stdout
    run = playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(shared["handoff"]))
    assert run.rc != 0
    assert f"KMS refused the import of {shared['classifier']}: either the owner's key policy lacks the grant" in run.stdout


def test_import_in_another_region_is_refused_before_any_call(aws, playbook):
    source = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1"
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=source, import_region="eu-west-1")
    assert run.rc != 0
    assert "the source model is in us-west-2 and a model can only be imported in its own region" in run.stdout
    assert [call for call in aws.calls() if call["service"] == "comprehend"] == []


def test_name_already_used_for_another_source_is_a_failure(aws, playbook, shared):
    own = aws.create_model(aws.importer, name="tickets", version="v1")
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=shared["classifier"],
                   model_name="tickets", version_name="v1",
                   data_access_role_arn="arn:aws:iam::444455556666:role/unused")
    assert run.rc != 0
    assert f"{own} already exists and was not imported from {shared['classifier']}" in run.stdout, run.stdout
