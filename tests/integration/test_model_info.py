"""Integration tests of seed.comprehend.comprehend_model_info against the emulator."""

from __future__ import annotations

import json

POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"}}]}


def test_models_by_arn_with_keys_resolved_and_policies(aws, playbook):
    key_arn = aws.create_key(aws.owner)
    key_id = key_arn.rsplit("/", 1)[1]
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key_id)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products")
    managed = aws.create_model(aws.owner, name="managed", version="v1", kms_key_id="alias/aws/comprehend")
    revision = aws.owner.client("comprehend").put_resource_policy(
        ResourceArn=classifier, ResourcePolicy=json.dumps(POLICY))["PolicyRevisionId"]
    aws.reset_calls()

    run = playbook("model_info/info.yml", model_arns=[classifier, recognizer, managed], check=True)
    assert run.rc == 0, run.stdout
    info = run.result("info")
    assert info["changed"] is False and info["missing"] == []
    by_arn = {model["arn"]: model for model in info["models"]}
    assert [model["arn"] for model in info["models"]] == [classifier, recognizer, managed]

    tickets = by_arn[classifier]
    assert {key: tickets[key] for key in ("model_type", "name", "version", "account", "region", "status")} == {
        "model_type": "document_classifier", "name": "tickets", "version": "v1", "account": "111122223333",
        "region": "us-west-2", "status": "TRAINED"}
    assert tickets["encryption"] == {"key_type": "customer_managed", "kms_key_arn": key_arn, "key_manager": "CUSTOMER",
                                     "key_state": "Enabled"}
    assert tickets["resource_policy"] == {"policy": POLICY, "revision_id": revision}

    products = by_arn[recognizer]
    assert products["model_type"] == "entity_recognizer" and products["version"] is None
    assert products["encryption"]["key_type"] == "aws_owned" and products["encryption"]["kms_key_arn"] is None
    assert products["resource_policy"] == {"policy": None, "revision_id": None}

    assert by_arn[managed]["encryption"]["key_type"] == "aws_managed"
    assert by_arn[managed]["encryption"]["kms_key_arn"].startswith("arn:aws:kms:us-west-2:111122223333:key/")
    assert aws.write_calls() == []


def test_every_version_by_name_filtered_by_status(aws, playbook):
    for version, status in (("v1", "TRAINED"), ("v2", "IN_ERROR"), ("v3", "TRAINED_WITH_WARNING")):
        aws.create_model(aws.owner, name="tickets", version=version, status=status)
    aws.create_model(aws.owner, name="other", version="v1")

    everything = playbook("model_info/info.yml", model_type="document_classifier", model_name="tickets")
    trained = playbook("model_info/info.yml", model_type="document_classifier", model_name="tickets",
                       statuses=["TRAINED", "TRAINED_WITH_WARNING"])
    assert everything.rc == 0 and trained.rc == 0, everything.stdout + trained.stdout
    assert sorted(model["version"] for model in everything.result("info")["models"]) == ["v1", "v2", "v3"]
    assert sorted(model["version"] for model in trained.result("info")["models"]) == ["v1", "v3"]
    assert {model["version"]: model["trained"] for model in everything.result("info")["models"]} == {
        "v1": True, "v2": False, "v3": True}


def test_policies_are_not_read_when_not_asked_for(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1", policy=POLICY)
    aws.reset_calls()
    run = playbook("model_info/info.yml", model_arns=[model], include_policy=False)
    assert run.rc == 0, run.stdout
    assert run.result("info")["models"][0]["resource_policy"] is None
    assert [call["operation"] for call in aws.calls() if call["service"] == "comprehend"] == ["DescribeDocumentClassifier"]


def test_missing_model_fails_clearly_unless_tolerated(aws, playbook):
    present = aws.create_model(aws.owner, name="tickets", version="v1")
    gone = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/deleted/version/v1"

    failed = playbook("model_info/info.yml", model_arns=[present, gone])
    assert failed.rc != 0
    assert f"the document-classifier {gone} does not exist" in failed.stdout

    tolerated = playbook("model_info/info.yml", model_arns=[present, gone], ignore_missing=True)
    assert tolerated.rc == 0, tolerated.stdout
    info = tolerated.result("info")
    assert [model["arn"] for model in info["models"]] == [present]
    assert info["missing"] == [gone]


def test_bad_arn_and_other_region_are_refused_before_any_call(aws, playbook):
    bad = playbook("model_info/info.yml", model_arns=["arn:aws:s3:::bucket"])
    other_region = playbook("model_info/info.yml",
                            model_arns=["arn:aws:comprehend:eu-west-1:111122223333:entity-recognizer/people"])
    assert bad.rc != 0 and "model_arns: 'arn:aws:s3:::bucket' is not a Comprehend custom model ARN" in bad.stdout
    assert other_region.rc != 0 and "is in region eu-west-1, but the connection is for region us-west-2" in other_region.stdout
    assert [call for call in aws.calls() if call["service"] == "comprehend"] == []
