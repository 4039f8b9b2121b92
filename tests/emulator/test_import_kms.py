"""ImportModel with a source under a customer managed key: who calls KMS, the role's trust and IAM policies, IAM delays."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List

import pytest
from botocore.exceptions import ClientError

from emulator.testing import (
    IMPORTER, OWNER, REGION, Aws, account_trust_policy, comprehend_trust_policy, data_access_statements,
    guide_key_statements, import_policy, key_policy, key_use_statements, role_arn,
)

IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
CALLER_SESSION = f"arn:aws:sts::{IMPORTER}:assumed-role/admin/admin-session"


@pytest.fixture
def key_arn(aws: Aws) -> str:
    return aws.client("kms", OWNER).create_key(Description="model key")["KeyMetadata"]["Arn"]


@pytest.fixture
def source(aws: Aws, key_arn: str) -> str:
    return aws.create_classifier(OWNER, name="secret", ModelKmsKeyId=key_arn, ModelPolicy=import_policy(IMPORTER))


def grant(aws: Aws, key_arn: str, statements: List[Dict[str, Any]]) -> None:
    aws.client("kms", OWNER).put_key_policy(KeyId=key_arn, Policy=key_policy(*statements))


def import_error(aws: Aws, source: str, **params: Any) -> Dict[str, str]:
    with pytest.raises(ClientError) as error:
        aws.client("comprehend", IMPORTER).import_model(SourceModelArn=source, **params)
    return error.value.response["Error"]


def imports(aws: Aws, source: str, **params: Any) -> str:
    return aws.client("comprehend", IMPORTER).import_model(SourceModelArn=source, **params)["ModelArn"]


@pytest.mark.usefixtures("fast_iam")
class TestDataAccessRole:
    """The default reading, import_kms_identity = data_access_role: KMS sees the role's session."""

    def test_a_key_policy_allowing_only_the_caller_is_not_enough(self, aws: Aws, source: str, key_arn: str) -> None:
        role = aws.create_data_access_role(IMPORTER, key_arns=[key_arn])
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(CALLER_SESSION, source))  # the old emulator accepted the caller
        error = import_error(aws, source, DataAccessRoleArn=role)
        assert error["Code"] == "KmsKeyValidationException"
        assert "key policy doesn't allow kms:Decrypt, kms:GenerateDataKey, kms:CreateGrant" in error["Message"]
        assert "assumed-role/comprehend-import/" in error["Message"]

    def test_a_role_without_permissions_is_refused(self, aws: Aws, source: str, key_arn: str) -> None:
        role = aws.create_data_access_role(IMPORTER)  # trusted, but no IAM policy: the old emulator accepted it
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        error = import_error(aws, source, DataAccessRoleArn=role)
        assert error["Code"] == "KmsKeyValidationException"
        assert f"the IAM policies of {role} don't allow kms:Decrypt, kms:GenerateDataKey, kms:CreateGrant" in error["Message"]
        assert "key policy" not in error["Message"].split(":", 1)[1].split(". Grant")[0]

    def test_the_role_policy_is_evaluated_with_s3_as_via_service(self, aws: Aws, source: str, key_arn: str) -> None:
        comprehend_only = [dict(statement, Condition={"StringEquals": {"kms:ViaService": f"comprehend.{REGION}.amazonaws.com"}})
                           for statement in key_use_statements([key_arn])]
        role = aws.create_role(IMPORTER, "comprehend-import", comprehend_trust_policy(IMPORTER), comprehend_only)
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(role, source))
        error = import_error(aws, source, DataAccessRoleArn=role)
        assert "don't allow kms:Decrypt, kms:GenerateDataKey" in error["Message"] and "CreateGrant" not in error["Message"].split("Grant kms:")[0]

    def test_an_attached_managed_policy_counts_and_a_deny_wins(self, aws: Aws, source: str, key_arn: str) -> None:
        iam = aws.client("iam", IMPORTER)
        role = aws.create_role(IMPORTER, "comprehend-import", comprehend_trust_policy(IMPORTER))
        document = json.dumps({"Version": "2012-10-17", "Statement": data_access_statements([key_arn])})
        policy_arn = iam.create_policy(PolicyName="use-key", PolicyDocument=document)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="comprehend-import", PolicyArn=policy_arn)
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        assert imports(aws, source, DataAccessRoleArn=role, VersionName="one")
        deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:CreateGrant", "Resource": "*"}]}
        iam.put_role_policy(RoleName="comprehend-import", PolicyName="deny", PolicyDocument=json.dumps(deny))
        aws.wait_for_iam()
        assert "don't allow kms:CreateGrant" in import_error(aws, source, DataAccessRoleArn=role, VersionName="two")["Message"]

    @pytest.mark.parametrize("trust", [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Action": "sts:AssumeRole"}]},
        comprehend_trust_policy(OWNER),  # aws:SourceAccount of another account
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "comprehend.amazonaws.com"}, "Action": "sts:AssumeRole",
                                                 "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:comprehend:{REGION}:{IMPORTER}:entity-recognizer/*"}}}]},
    ])
    def test_a_role_that_does_not_trust_comprehend_is_refused(self, aws: Aws, source: str, key_arn: str, trust: Dict[str, Any]) -> None:
        role = aws.create_role(IMPORTER, "comprehend-import", trust, data_access_statements([key_arn]))
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        error = import_error(aws, source, DataAccessRoleArn=role)
        assert error["Code"] == "KmsKeyValidationException" and "can't assume the data access role" in error["Message"]

    def test_trust_conditions_on_the_copy_arn_hold(self, aws: Aws, source: str, key_arn: str) -> None:
        trust = comprehend_trust_policy(IMPORTER)
        trust["Statement"][0]["Condition"]["ArnLike"] = {"aws:SourceArn": f"arn:aws:comprehend:{REGION}:{IMPORTER}:document-classifier/*"}
        role = aws.create_role(IMPORTER, "comprehend-import", trust, data_access_statements([key_arn]))
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        assert imports(aws, source, DataAccessRoleArn=role)


def test_a_role_is_not_usable_until_iam_propagates(aws: Aws, source: str, key_arn: str, control: Any) -> None:
    control.set_options(iam_propagation_seconds=0.6)
    grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
    role = aws.create_data_access_role(IMPORTER, key_arns=[key_arn])
    error = import_error(aws, source, DataAccessRoleArn=role)  # at once: the old emulator accepted it
    assert error["Code"] == "KmsKeyValidationException" and "Retry later" in error["Message"]
    time.sleep(0.65)
    assert imports(aws, source, DataAccessRoleArn=role, VersionName="one")
    aws.client("iam", IMPORTER).update_assume_role_policy(RoleName="comprehend-import", PolicyDocument=json.dumps(comprehend_trust_policy(IMPORTER)))
    assert "Retry later" in import_error(aws, source, DataAccessRoleArn=role, VersionName="two")["Message"]
    time.sleep(0.65)
    assert imports(aws, source, DataAccessRoleArn=role, VersionName="two")


@pytest.mark.usefixtures("fast_iam")
class TestForwardAccess:
    """import_kms_identity = forward_access: KMS sees the ImportModel caller; the data access role must still be trusted."""

    @pytest.fixture(autouse=True)
    def forward_access(self, control: Any) -> None:
        control.set_options(import_kms_identity="forward_access")

    def test_the_callers_iam_identity_needs_permissions(self, aws: Aws, source: str, key_arn: str) -> None:
        role = aws.create_data_access_role(IMPORTER, key_arns=[key_arn])
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        error = import_error(aws, source, DataAccessRoleArn=role)  # the caller's role "admin" doesn't exist in IAM
        assert error["Code"] == "KmsKeyValidationException"
        assert f"the IAM policies of {role_arn(IMPORTER)} don't allow" in error["Message"] and "doesn't exist in IAM" in error["Message"]
        aws.create_role(IMPORTER, "admin", account_trust_policy(IMPORTER), key_use_statements([key_arn]))
        assert "Retry later" in import_error(aws, source, DataAccessRoleArn=role)["Message"]
        aws.wait_for_iam()
        assert imports(aws, source, DataAccessRoleArn=role)

    def test_the_key_policy_must_allow_the_caller_not_the_role(self, aws: Aws, source: str, key_arn: str) -> None:
        role = aws.create_data_access_role(IMPORTER)
        aws.create_role(IMPORTER, "admin", account_trust_policy(IMPORTER), key_use_statements([key_arn]))
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(role, source))
        assert "key policy doesn't allow" in import_error(aws, source, DataAccessRoleArn=role)["Message"]
        grant(aws, key_arn, guide_key_statements(role_arn(IMPORTER), source))
        assert imports(aws, source, DataAccessRoleArn=role)

    def test_the_data_access_role_must_still_be_trusted(self, aws: Aws, source: str, key_arn: str) -> None:
        role = aws.create_role(IMPORTER, "comprehend-import", account_trust_policy(IMPORTER))
        aws.create_role(IMPORTER, "admin", account_trust_policy(IMPORTER), key_use_statements([key_arn]))
        aws.wait_for_iam()
        grant(aws, key_arn, guide_key_statements(IMPORTER_ROOT, source))
        assert "can't assume the data access role" in import_error(aws, source, DataAccessRoleArn=role)["Message"]
