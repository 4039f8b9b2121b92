"""Behaviour 7: the call log."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from botocore.exceptions import ClientError

from emulator import client as control_module
from emulator.client import EmulatorClient, is_write_operation, write_calls
from emulator.testing import DEFAULT_ACCOUNT, IMPORTER, OTHER_REGION, OWNER, REGION, Aws, import_policy


def test_counts_per_account_service_and_operation(aws: Aws, control: EmulatorClient) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER))  # STS AssumeRole, Create, then control API (not logged)
    aws.client("comprehend", OWNER).describe_resource_policy(ResourceArn=source)
    aws.create_data_access_role(IMPORTER)  # STS AssumeRole, IAM CreateRole
    importer = aws.client("comprehend", IMPORTER)
    importer.import_model(SourceModelArn=source)
    with pytest.raises(ClientError):
        importer.import_model(SourceModelArn=source)  # the same name again: ResourceInUseException
    aws.client("kms", OWNER, region=OTHER_REGION).list_keys()
    aws.client("sts", IMPORTER).get_caller_identity()

    calls = control.calls()
    assert Counter((c["account"], c["service"], c["operation"]) for c in calls) == Counter({
        (DEFAULT_ACCOUNT, "sts", "AssumeRole"): 2,
        (OWNER, "comprehend", "CreateDocumentClassifier"): 1,
        (OWNER, "comprehend", "DescribeResourcePolicy"): 1,
        (IMPORTER, "iam", "CreateRole"): 1,
        (IMPORTER, "comprehend", "ImportModel"): 2,
        (OWNER, "kms", "ListKeys"): 1,
        (IMPORTER, "sts", "GetCallerIdentity"): 1,
    })
    assert [c["operation"] for c in calls][:3] == ["AssumeRole", "CreateDocumentClassifier", "DescribeResourcePolicy"]
    assert [(c["status"], c["fault"]) for c in calls if c["operation"] == "ImportModel"] == [(200, None), (400, None)]
    assert {c["region"] for c in calls if c["service"] == "kms"} == {OTHER_REGION}
    assert {c["region"] for c in calls if c["service"] == "comprehend"} == {REGION}
    assert set(calls[0]) == {"account", "service", "operation", "region", "resource", "status", "fault", "started", "seconds"}


def test_entries_carry_the_resource_and_when_they_were_served(aws: Aws, control: EmulatorClient) -> None:
    arn = aws.create_classifier(OWNER)
    control.reset_calls()
    comprehend = aws.client("comprehend", OWNER)
    before = time.time()
    comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=import_policy(IMPORTER))
    between = time.time()
    comprehend.describe_document_classifier(DocumentClassifierArn=arn)
    after = time.time()
    aws.client("sts", OWNER).get_caller_identity()  # query protocol: no body fields to name a resource
    put, describe, identity = [c for c in control.calls() if c["operation"] != "AssumeRole"]
    assert (put["resource"], describe["resource"], identity["resource"]) == (arn, arn, None)
    assert before <= put["started"] <= put["started"] + put["seconds"] <= between <= describe["started"] <= after
    assert 0 < put["seconds"] < between - before and 0 < describe["seconds"] < after - between


def test_write_calls(aws: Aws, control: EmulatorClient) -> None:
    arn = aws.create_classifier(OWNER)
    comprehend = aws.client("comprehend", OWNER)
    comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=import_policy(IMPORTER))
    comprehend.describe_resource_policy(ResourceArn=arn)
    comprehend.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    comprehend.untag_resource(ResourceArn=arn, TagKeys=["a"])
    comprehend.delete_resource_policy(ResourceArn=arn)
    expected = ["CreateDocumentClassifier", "PutResourcePolicy", "TagResource", "UntagResource", "DeleteResourcePolicy"]
    assert [c["operation"] for c in control.write_calls()] == expected
    assert [c["operation"] for c in write_calls(control.calls())] == expected
    assert not any(is_write_operation(name) for name in ("DescribeKey", "GetKeyPolicy", "ListAliases", "AssumeRole", "Decrypt", None, ""))


def test_reset_calls_and_control_requests_are_not_logged(aws: Aws, control: EmulatorClient) -> None:
    aws.client("sts").get_caller_identity()
    assert len(control.calls()) == 1
    control.faults()
    control.health()
    assert len(control.calls()) == 1
    control.reset_calls()
    assert control.calls() == []


def test_the_module_level_client_functions(aws: Aws) -> None:
    url = aws.endpoint_url
    arn = aws.create_classifier(trained=False)
    assert control_module.set_model_status(url, arn, "TRAINED", "done")["Message"] == "done"
    assert control_module.set_faults(url, rate=1, seed=2, operations=["sts:*"])["seed"] == 2
    with pytest.raises(ClientError):
        aws.client("sts").get_caller_identity()
    assert control_module.clear_faults(url)["rate"] == 0
    assert [c["operation"] for c in control_module.write_calls(control_module.calls(url))] == ["CreateDocumentClassifier"]
    control_module.reset_calls(url)
    assert control_module.calls(url) == []
    assert control_module.set_options(url, missing_resource_policy="empty")["missing_resource_policy"] == "empty"
    control_module.reset(url)
    assert control_module.health(url) == {"status": "ok"}
