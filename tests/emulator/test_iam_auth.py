"""IAM enforcement (emulator._auth): off by default, switched by the control API, checking the resources requests name."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.client import EmulatorError
from emulator.testing import IMPORTER, OWNER, REGION, error_code, import_policy
from emulator._options import DEFAULT_OPTIONS


def iam_user(aws, account: str, name: str, statements: List[Dict[str, Any]]) -> Dict[str, str]:
    """Create (as the account's admin role, before enforcement) an IAM user holding only ``statements``."""
    iam = aws.client("iam", account)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def client_as(aws, service: str, credentials: Dict[str, str]) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=aws.endpoint_url, config=Config(retries={"total_max_attempts": 1}), **credentials)


def test_off_by_default_switched_by_the_control_api_and_off_after_reset(control):
    assert control.iam_auth() is False
    assert control.set_iam_auth(True) is True
    assert control.iam_auth() is True
    control.reset()
    assert control.iam_auth() is False
    for body in ({}, {"enabled": "yes"}, {"enabled": True, "other": 1}):
        with pytest.raises(EmulatorError) as refused:
            control.request("POST", "iam-auth", body)
        assert refused.value.status == 400


def test_options_are_unchanged_by_the_switch(control):
    control.set_iam_auth(True)
    assert control.options() == DEFAULT_OPTIONS


def test_unknown_credentials_are_refused_once_on(aws, control):
    comprehend = aws.client("comprehend")  # static "testing" keys, no IAM user behind them
    comprehend.list_document_classifiers()
    control.set_iam_auth(True)
    with pytest.raises(ClientError) as refused:
        comprehend.list_document_classifiers()
    assert error_code(refused) == "UnrecognizedClientException"


def test_comprehend_calls_are_checked_against_the_model_arn_they_name(aws, control):
    allowed = aws.create_classifier(OWNER, name="allowed")
    other = aws.create_classifier(OWNER, name="other")
    user = iam_user(aws, OWNER, "reader", [{
        "Effect": "Allow", "Action": ["comprehend:DescribeDocumentClassifier", "comprehend:PutResourcePolicy"],
        "Resource": f"arn:aws:comprehend:*:{OWNER}:document-classifier/allowed/version/*",
    }])
    control.set_iam_auth(True)
    comprehend = client_as(aws, "comprehend", user)
    assert comprehend.describe_document_classifier(DocumentClassifierArn=allowed)["DocumentClassifierProperties"]["Status"] == "TRAINED"
    comprehend.put_resource_policy(ResourceArn=allowed, ResourcePolicy=import_policy(IMPORTER))
    with pytest.raises(ClientError) as refused:
        comprehend.describe_document_classifier(DocumentClassifierArn=other)
    assert error_code(refused) == "AccessDeniedException"
    assert refused.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{OWNER}:user/reader is not authorized to perform: comprehend:DescribeDocumentClassifier "
        f"on resource: {other} because no identity-based policy allows the comprehend:DescribeDocumentClassifier action"
    )
    with pytest.raises(ClientError) as refused:
        comprehend.describe_resource_policy(ResourceArn=allowed)
    assert "comprehend:DescribeResourcePolicy" in refused.value.response["Error"]["Message"]


def test_kms_calls_are_checked_against_the_key_arn_even_through_an_alias(aws, control):
    kms = aws.client("kms", OWNER)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/models", TargetKeyId=key["KeyId"])
    other = kms.create_key()["KeyMetadata"]
    user = iam_user(aws, OWNER, "keys", [{"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:GetKeyPolicy"], "Resource": key["Arn"]}])
    control.set_iam_auth(True)
    kms_as_user = client_as(aws, "kms", user)
    assert kms_as_user.describe_key(KeyId="alias/models")["KeyMetadata"]["Arn"] == key["Arn"]
    kms_as_user.get_key_policy(KeyId=key["KeyId"], PolicyName="default")
    with pytest.raises(ClientError) as refused:
        kms_as_user.describe_key(KeyId=other["Arn"])
    assert error_code(refused) == "AccessDeniedException"
    assert f"kms:DescribeKey on resource: {other['Arn']}" in refused.value.response["Error"]["Message"]


def test_create_role_is_checked_against_the_arn_the_new_role_gets(aws, control):
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "comprehend.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    user = iam_user(aws, IMPORTER, "roles", [
        {"Effect": "Allow", "Action": ["iam:CreateRole", "iam:GetRole"], "Resource": f"arn:aws:iam::{IMPORTER}:role/comprehend-*"}])
    control.set_iam_auth(True)
    iam = client_as(aws, "iam", user)
    assert iam.create_role(RoleName="comprehend-import", AssumeRolePolicyDocument=trust)["Role"]["RoleName"] == "comprehend-import"
    iam.get_role(RoleName="comprehend-import")
    with pytest.raises(ClientError) as refused:
        iam.create_role(RoleName="elsewhere", AssumeRolePolicyDocument=trust)
    assert error_code(refused) == "AccessDenied"
    assert "iam:CreateRole" in refused.value.response["Error"]["Message"]


def test_import_model_with_a_data_access_role_needs_pass_role(aws, control):
    source = aws.create_recognizer(OWNER, name="people")
    aws.client("comprehend", OWNER).put_resource_policy(ResourceArn=source, ResourcePolicy=import_policy(IMPORTER))
    role = aws.create_data_access_role(IMPORTER)
    import_only = {"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": source}
    pass_role = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
                 "Condition": {"StringEquals": {"iam:PassedToService": "comprehend.amazonaws.com"}}}
    without = iam_user(aws, IMPORTER, "without", [import_only])
    with_pass_role = iam_user(aws, IMPORTER, "with", [import_only, pass_role])
    control.set_iam_auth(True)

    with pytest.raises(ClientError) as refused:
        client_as(aws, "comprehend", without).import_model(SourceModelArn=source, ModelName="copy1", DataAccessRoleArn=role)
    assert error_code(refused) == "AccessDeniedException"
    assert refused.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{IMPORTER}:user/without is not authorized to perform: iam:PassRole on resource: {role} "
        "because no identity-based policy allows the iam:PassRole action"
    )
    client_as(aws, "comprehend", without).import_model(SourceModelArn=source, ModelName="copy2")  # no role, nothing to pass
    copy = client_as(aws, "comprehend", with_pass_role).import_model(SourceModelArn=source, ModelName="copy3", DataAccessRoleArn=role)
    assert copy["ModelArn"].endswith(":entity-recognizer/copy3")


def test_pass_role_to_another_service_does_not_count(aws, control):
    source = aws.create_recognizer(IMPORTER, name="own")
    role = aws.create_data_access_role(IMPORTER)
    user = iam_user(aws, IMPORTER, "elsewhere", [
        {"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": source},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}},
    ])
    control.set_iam_auth(True)
    with pytest.raises(ClientError) as refused:
        client_as(aws, "comprehend", user).import_model(SourceModelArn=source, ModelName="copy", DataAccessRoleArn=role)
    assert "iam:PassRole" in refused.value.response["Error"]["Message"]
