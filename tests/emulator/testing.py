"""Helpers for code that talks to a running emulator: boto3 clients acting as any account, models ready to share.

Accounts are reached the way moto allows: ``sts:AssumeRole`` into ``arn:aws:iam::ACCOUNT:role/ROLE`` (the role needn't
exist) returns credentials that act as ACCOUNT. Credentials die with :meth:`EmulatorClient.reset`: make a new
:class:`Aws` after a reset.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import boto3
from botocore.config import Config

from .client import EmulatorClient

REGION = "us-west-2"
OTHER_REGION = "eu-west-1"
DEFAULT_ACCOUNT = "123456789012"  # moto's account for credentials it doesn't know
OWNER = "111122223333"
IMPORTER = "444455556666"
STRANGER = "777788889999"
ADMIN_ROLE = "admin"
STATIC_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# kind -> (Create* operation, name parameter, ARN key of the answer, a minimal InputDataConfig)
_MODEL_REQUESTS: Dict[str, Tuple[str, str, str, Dict[str, Any]]] = {
    "classifier": ("create_document_classifier", "DocumentClassifierName", "DocumentClassifierArn", {"S3Uri": "s3://bucket/train.csv"}),
    "recognizer": (
        "create_entity_recognizer", "RecognizerName", "EntityRecognizerArn",
        {"EntityTypes": [{"Type": "PERSON"}], "Documents": {"S3Uri": "s3://bucket/docs"}},
    ),
}


def error_code(error: Any) -> str:
    """The AWS error code of a botocore ClientError, or of pytest's ExceptionInfo around one."""
    return getattr(error, "value", error).response["Error"]["Code"]


def role_arn(account: str, role: str = ADMIN_ROLE) -> str:
    return f"arn:aws:iam::{account}:role/{role}"


def import_policy(*principals: str) -> str:
    """A model resource policy allowing ``principals`` (account IDs or ARNs) to import the model."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*", "Principal": {"AWS": list(principals)}}],
    })


def key_policy(*statements: Dict[str, Any], owner: str = OWNER) -> str:
    """A key policy: KMS's default statement (the owner account manages the key) plus ``statements``."""
    default = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{owner}:root"}, "Action": "kms:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [default, *statements]})


def guide_key_statements(principal: str, model_arn: str) -> List[Dict[str, Any]]:
    """The AWS guide's first example: the statements that let ``principal`` use the key to import ``model_arn``."""
    return [
        {
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceArn": model_arn}},
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": model_arn}},
        },
    ]


class Aws:
    """boto3 clients for an emulator, acting as any account (retries off, so errors show at once)."""

    def __init__(self, endpoint_url: str, region: str = REGION) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.control = EmulatorClient(endpoint_url)
        self._credentials: Dict[Tuple[str, str], Dict[str, str]] = {}

    def credentials(self, account: Optional[str] = None, role: str = ADMIN_ROLE) -> Dict[str, str]:
        """boto3 credential arguments for ``role`` of ``account`` (None: moto's default account, static keys)."""
        if account is None:
            return dict(STATIC_CREDENTIALS)
        if (account, role) not in self._credentials:
            sts = self.client("sts")
            found = sts.assume_role(RoleArn=role_arn(account, role), RoleSessionName=f"{role}-session")["Credentials"]
            self._credentials[(account, role)] = {
                "aws_access_key_id": found["AccessKeyId"],
                "aws_secret_access_key": found["SecretAccessKey"],
                "aws_session_token": found["SessionToken"],
            }
        return self._credentials[(account, role)]

    def client(self, service: str, account: Optional[str] = None, role: str = ADMIN_ROLE, region: Optional[str] = None, **config: Any) -> Any:
        settings = {"retries": {"total_max_attempts": 1}, **config}  # no retries: max_attempts=1 would still retry once
        return boto3.client(
            service, region_name=region or self.region, endpoint_url=self.endpoint_url, config=Config(**settings), **self.credentials(account, role)
        )

    def create_model(
        self, kind: str, account: Optional[str] = None, name: Optional[str] = None, version: Optional[str] = "v1", trained: bool = True, **params: Any
    ) -> str:
        """Create a ``classifier`` or ``recognizer`` (TRAINED at once unless ``trained`` is false) and return its ARN."""
        operation, name_parameter, arn_key, input_data_config = _MODEL_REQUESTS[kind]
        request = {
            name_parameter: name or kind,
            "DataAccessRoleArn": role_arn(account or DEFAULT_ACCOUNT, "comprehend-data"),
            "InputDataConfig": input_data_config,
            "LanguageCode": "en",
            **params,
        }
        if version:
            request["VersionName"] = version
        arn = getattr(self.client("comprehend", account), operation)(**request)[arn_key]
        if trained:
            self.control.set_model_status(arn, "TRAINED")
        return arn

    def create_classifier(self, account: Optional[str] = None, name: str = "classifier", **options: Any) -> str:
        return self.create_model("classifier", account, name, **options)

    def create_recognizer(self, account: Optional[str] = None, name: str = "recognizer", **options: Any) -> str:
        return self.create_model("recognizer", account, name, **options)

    def create_role(self, account: str, name: str, trust: Dict[str, Any], statements: Sequence[Dict[str, Any]] = ()) -> str:
        """Create a role of ``account`` with the trust policy ``trust`` and an inline policy of ``statements``; its ARN."""
        iam = self.client("iam", account)
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        if statements:
            iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
        return arn

    def create_data_access_role(self, account: str, name: str = "comprehend-import", key_arns: Sequence[str] = ()) -> str:
        """Create, in ``account``, the service role AWS's import page describes, allowed to use ``key_arns``; its ARN.

        Wait out the emulator's IAM propagation delay (:meth:`wait_for_iam`) before Comprehend or KMS can see it.
        """
        return self.create_role(account, name, comprehend_trust_policy(account), data_access_statements(key_arns, self.region) if key_arns else ())

    def wait_for_iam(self) -> None:
        """Sleep past the emulator's ``iam_propagation_seconds``: roles and users created or changed so far are then visible."""
        time.sleep(float(self.control.options()["iam_propagation_seconds"]) + 0.05)


def comprehend_trust_policy(account: str) -> Dict[str, Any]:
    """AWS's example trust policy of the data access role (import page): Comprehend, from ``account`` only."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "comprehend.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }]}


def data_access_statements(key_arns: Sequence[str], region: str = REGION) -> List[Dict[str, Any]]:
    """AWS's example permissions of the data access role (import page): CreateGrant, and Decrypt/GenerateDataKey via S3."""
    return [
        {"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": list(key_arns)},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": list(key_arns),
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}},
    ]


def key_use_statements(key_arns: Sequence[str]) -> List[Dict[str, Any]]:
    """IAM permissions to call the three KMS actions of an import on ``key_arns``, with any kms:ViaService."""
    return [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], "Resource": list(key_arns)}]


def account_trust_policy(account: str) -> Dict[str, Any]:
    """A trust policy letting the identities of ``account`` assume the role."""
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
