"""Behaviour 5: ImportModel, within and across accounts, with the resource policy and KMS key policy checks."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import pytest
from botocore.exceptions import ClientError

from emulator.testing import (
    IMPORTER, OTHER_REGION, OWNER, REGION, STRANGER, Aws, error_code, guide_key_statements, import_policy, key_policy, role_arn,
)

IMPORTED_PREFIX = f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier"


def import_model(aws: Aws, source: str, account: str = IMPORTER, role: str = "admin", **params: Any) -> str:
    return aws.client("comprehend", account, role).import_model(SourceModelArn=source, **params)["ModelArn"]


def import_error(aws: Aws, source: str, account: str = IMPORTER, role: str = "admin", **params: Any) -> ClientError:
    with pytest.raises(ClientError) as error:
        import_model(aws, source, account, role, **params)
    return error.value


def describe(aws: Aws, arn: str, account: str = IMPORTER) -> Dict[str, Any]:
    return aws.client("comprehend", account).describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"]


def test_import_allowed_by_account_id(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, name="news", ModelPolicy=import_policy(IMPORTER))
    arn = import_model(aws, source, VersionName="copy-1", Tags=[{"Key": "team", "Value": "nlp"}])
    assert arn == f"{IMPORTED_PREFIX}/news/version/copy-1"
    properties = describe(aws, arn)
    assert (properties["SourceModelArn"], properties["VersionName"], properties["LanguageCode"]) == (source, "copy-1", "en")
    tags = aws.client("comprehend", IMPORTER).list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert tags == [{"Key": "team", "Value": "nlp"}]


def test_imported_models_train_over_describe_calls(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER))
    arn = import_model(aws, source)
    assert [describe(aws, arn)["Status"] for _step in range(4)] == ["SUBMITTED", "TRAINING", "TRAINED", "TRAINED"]


def test_import_allowed_by_role_arn_for_assumed_role_sessions(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(role_arn(IMPORTER, "importer")))
    assert import_model(aws, source, role="importer", ModelName="mine").startswith(f"{IMPORTED_PREFIX}/mine")
    assert error_code(import_error(aws, source, role="admin", ModelName="theirs")) == "AccessDeniedException"


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{IMPORTER}:root", "*", f"arn:aws:sts::{IMPORTER}:assumed-role/admin/admin-session"])
def test_other_principals_that_admit_the_importer(aws: Aws, principal: str) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(principal))
    assert import_model(aws, source)


def test_import_refused_for_an_account_the_policy_does_not_name(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER, role_arn(OWNER, "x")))
    error = import_error(aws, source, account=STRANGER)
    assert error_code(error) == "AccessDeniedException"
    assert error.response["Error"]["Message"] == (
        f"User: arn:aws:sts::{STRANGER}:assumed-role/admin/admin-session is not authorized to perform: comprehend:ImportModel "
        f"on resource: {source} because no resource-based policy allows the comprehend:ImportModel action"
    )


@pytest.mark.parametrize("policy", [
    None,
    json.dumps({"Statement": [{"Effect": "Allow", "Action": "comprehend:DescribeResourcePolicy", "Resource": "*", "Principal": {"AWS": IMPORTER}}]}),
    json.dumps({"Statement": [
        {"Effect": "Allow", "Action": "comprehend:*", "Resource": "*", "Principal": "*"},
        {"Effect": "Deny", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": IMPORTER}},
    ]}),
])
def test_import_refused_without_an_allowing_policy(aws: Aws, policy: Optional[str]) -> None:
    source = aws.create_classifier(OWNER, **({"ModelPolicy": policy} if policy else {}))
    assert error_code(import_error(aws, source)) == "AccessDeniedException"


def test_same_account_import_needs_no_policy(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, name="original")
    assert import_model(aws, source, account=OWNER, ModelName="copy") == f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/copy"


def test_same_region_only(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER))
    elsewhere = aws.client("comprehend", OWNER, region=OTHER_REGION).create_document_classifier(
        DocumentClassifierName="far", DataAccessRoleArn=role_arn(OWNER), InputDataConfig={"S3Uri": "s3://bucket/k"}, LanguageCode="en",
        ModelPolicy=import_policy(IMPORTER),
    )["DocumentClassifierArn"]
    aws.control.set_model_status(elsewhere, "TRAINED")
    assert error_code(import_error(aws, elsewhere)) == "InvalidRequestException"
    with pytest.raises(ClientError) as error:
        aws.client("comprehend", IMPORTER, region=OTHER_REGION).import_model(SourceModelArn=source)
    assert error_code(error) == "InvalidRequestException"


def test_missing_and_malformed_sources(aws: Aws) -> None:
    missing = f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/nothing/version/v1"
    assert error_code(import_error(aws, missing)) == "ResourceNotFoundException"
    assert error_code(import_error(aws, "garbage")) == "ValidationException"


def test_untrained_sources_are_unavailable(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER), trained=False)
    assert error_code(import_error(aws, source)) == "ResourceUnavailableException"
    aws.control.set_model_status(source, "IN_ERROR")
    assert error_code(import_error(aws, source)) == "ResourceUnavailableException"


def test_an_existing_name_and_version_is_in_use(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, name="news", ModelPolicy=import_policy(IMPORTER))
    first = import_model(aws, source, VersionName="v1")
    assert first == f"{IMPORTED_PREFIX}/news/version/v1"
    assert error_code(import_error(aws, source, VersionName="v1")) == "ResourceInUseException"
    aws.create_classifier(IMPORTER, name="local", version="v1")
    assert error_code(import_error(aws, source, ModelName="local", VersionName="v1")) == "ResourceInUseException"


def test_recognizers_import_as_recognizers(aws: Aws) -> None:
    source = aws.create_recognizer(OWNER, name="people", ModelPolicy=import_policy(IMPORTER))
    arn = import_model(aws, source)
    assert arn == f"arn:aws:comprehend:{REGION}:{IMPORTER}:entity-recognizer/people"
    properties = aws.client("comprehend", IMPORTER).describe_entity_recognizer(EntityRecognizerArn=arn)["EntityRecognizerProperties"]
    assert properties["SourceModelArn"] == source
    assert properties["InputDataConfig"]["EntityTypes"] == [{"Type": "PERSON"}]


class TestCustomerManagedKeys:
    """A source model encrypted with a customer managed key of the owner; the data access role allowed to use it."""

    @pytest.fixture
    def key_arn(self, aws: Aws) -> str:
        return aws.client("kms", OWNER).create_key(Description="model key")["KeyMetadata"]["Arn"]

    @pytest.fixture
    def source(self, aws: Aws, key_arn: str) -> str:
        return aws.create_classifier(OWNER, name="secret", ModelKmsKeyId=key_arn, ModelPolicy=import_policy(IMPORTER))

    @pytest.fixture
    def data_role(self, aws: Aws, key_arn: str, fast_iam: float) -> str:
        role = aws.create_data_access_role(IMPORTER, key_arns=[key_arn])
        aws.wait_for_iam()
        return role

    @staticmethod
    def grant(aws: Aws, key_arn: str, statements: List[Dict[str, Any]]) -> None:
        aws.client("kms", OWNER).put_key_policy(KeyId=key_arn, Policy=key_policy(*statements))

    def test_a_data_access_role_is_required(self, aws: Aws, source: str, key_arn: str) -> None:
        self.grant(aws, key_arn, guide_key_statements(f"arn:aws:iam::{IMPORTER}:root", source))
        error = import_error(aws, source)
        assert error_code(error) == "KmsKeyValidationException" and "data access role" in error.response["Error"]["Message"]
        error = import_error(aws, source, DataAccessRoleArn=role_arn(IMPORTER, "does-not-exist"))
        assert error_code(error) == "KmsKeyValidationException" and "doesn't exist" in error.response["Error"]["Message"]

    def test_refused_without_the_key_grant(self, aws: Aws, source: str, key_arn: str, data_role: str) -> None:
        error = import_error(aws, source, DataAccessRoleArn=data_role)
        assert error_code(error) == "KmsKeyValidationException"
        assert key_arn in error.response["Error"]["Message"]
        assert "kms:Decrypt, kms:GenerateDataKey, kms:CreateGrant" in error.response["Error"]["Message"]

    def test_allowed_with_the_guides_first_example(self, aws: Aws, source: str, key_arn: str, data_role: str) -> None:
        self.grant(aws, key_arn, guide_key_statements(f"arn:aws:iam::{IMPORTER}:root", source))
        arn = import_model(aws, source, DataAccessRoleArn=data_role)
        assert describe(aws, arn)["DataAccessRoleArn"] == data_role

    @pytest.mark.parametrize("statements", [
        # The guide's alternative 2: all three actions under the encryption context condition.
        [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{IMPORTER}:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"],
          "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:aws:comprehend:arn": "arn:aws:comprehend:*"}}}],
        # No condition at all: the importer may use the key for any model.
        [{"Effect": "Allow", "Principal": {"AWS": IMPORTER}, "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": "*"}],
        # The data access role as the principal.
        guide_key_statements(role_arn(IMPORTER, "comprehend-import"), "SOURCE"),
    ])
    def test_other_grants_that_work(self, aws: Aws, source: str, key_arn: str, data_role: str, statements: List[Dict[str, Any]]) -> None:
        self.grant(aws, key_arn, json.loads(json.dumps(statements).replace("SOURCE", source)))
        assert import_model(aws, source, DataAccessRoleArn=data_role)

    @pytest.mark.parametrize("statements", [
        guide_key_statements(f"arn:aws:iam::{IMPORTER}:root", "OTHER"),  # conditions naming another model
        guide_key_statements(f"arn:aws:iam::{STRANGER}:root", "SOURCE"),  # another account
        guide_key_statements(f"arn:aws:iam::{IMPORTER}:root", "SOURCE")[:1],  # no kms:CreateGrant
        # kms:CreateGrant under aws:SourceArn: CreateGrant requests don't carry it.
        [{"Effect": "Allow", "Principal": {"AWS": IMPORTER}, "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": "*",
          "Condition": {"StringEquals": {"aws:SourceArn": "SOURCE"}}}],
    ])
    def test_grants_that_do_not_work(self, aws: Aws, source: str, key_arn: str, data_role: str, statements: List[Dict[str, Any]]) -> None:
        other = source.replace("secret", "other")
        self.grant(aws, key_arn, json.loads(json.dumps(statements).replace("SOURCE", source).replace("OTHER", other)))
        assert error_code(import_error(aws, source, DataAccessRoleArn=data_role)) == "KmsKeyValidationException"


def test_the_importers_own_key_must_be_in_its_account(aws: Aws, fast_iam: float) -> None:
    source = aws.create_classifier(OWNER, ModelPolicy=import_policy(IMPORTER))
    foreign_key = aws.client("kms", OWNER).create_key()["KeyMetadata"]["Arn"]
    own_key = aws.client("kms", IMPORTER).create_key()["KeyMetadata"]["Arn"]
    role = aws.create_data_access_role(IMPORTER)
    aws.wait_for_iam()
    assert error_code(import_error(aws, source, ModelKmsKeyId=foreign_key, DataAccessRoleArn=role)) == "KmsKeyValidationException"
    assert error_code(import_error(aws, source, ModelKmsKeyId="alias/nothing", DataAccessRoleArn=role)) == "KmsKeyValidationException"
    assert error_code(import_error(aws, source, ModelKmsKeyId=own_key)) == "KmsKeyValidationException"  # no data access role
    arn = import_model(aws, source, ModelKmsKeyId=own_key, DataAccessRoleArn=role)
    assert describe(aws, arn)["ModelKmsKeyId"] == own_key


def test_a_source_under_an_aws_managed_key_cannot_be_imported_by_another_account(aws: Aws) -> None:
    source = aws.create_classifier(OWNER, ModelKmsKeyId="alias/aws/comprehend", ModelPolicy=import_policy(IMPORTER))
    error = import_error(aws, source, DataAccessRoleArn=aws.create_data_access_role(IMPORTER))
    assert error_code(error) == "KmsKeyValidationException" and "AWS managed key" in error.response["Error"]["Message"]
    assert import_model(aws, source, account=OWNER, ModelName="copy")
