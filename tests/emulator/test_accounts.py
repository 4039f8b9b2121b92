"""Behaviour 4: several accounts, reached through sts:AssumeRole."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator.testing import DEFAULT_ACCOUNT, IMPORTER, OWNER, REGION, Aws, error_code, role_arn


def test_assumed_credentials_act_as_the_roles_account(aws: Aws) -> None:
    identity = aws.client("sts", IMPORTER, role="x").get_caller_identity()
    assert identity["Account"] == IMPORTER
    assert identity["Arn"] == f"arn:aws:sts::{IMPORTER}:assumed-role/x/x-session"
    assert aws.client("sts").get_caller_identity()["Account"] == DEFAULT_ACCOUNT


def test_a_model_belongs_to_the_account_that_created_it(aws: Aws) -> None:
    arn = aws.create_classifier(IMPORTER, name="private")
    assert arn == f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier/private/version/v1"
    assert aws.client("comprehend", IMPORTER, role="another-role").describe_document_classifier(DocumentClassifierArn=arn)
    for account in (None, OWNER):
        comprehend = aws.client("comprehend", account)
        with pytest.raises(ClientError) as error:
            comprehend.describe_document_classifier(DocumentClassifierArn=arn)
        assert error_code(error) == "ResourceNotFoundException"
        assert comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"] == []


def test_roles_and_keys_are_per_account(aws: Aws) -> None:
    role = aws.create_data_access_role(IMPORTER)
    assert role == role_arn(IMPORTER, "comprehend-import")
    assert [r["Arn"] for r in aws.client("iam", IMPORTER).list_roles()["Roles"]] == [role]
    assert aws.client("iam", OWNER).list_roles()["Roles"] == []
    key = aws.client("kms", OWNER).create_key()["KeyMetadata"]
    assert key["AWSAccountId"] == OWNER
    assert aws.client("kms", IMPORTER).list_keys()["Keys"] == []
