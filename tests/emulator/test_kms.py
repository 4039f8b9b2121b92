"""Behaviour 3: KMS key policies, the lockout safety check and AWS managed keys."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict

import pytest
from botocore.exceptions import ClientError

from emulator.testing import IMPORTER, OTHER_REGION, OWNER, STRANGER, Aws, account_trust_policy, error_code, key_policy, role_arn

SESSION_ARN = f"arn:aws:sts::{OWNER}:assumed-role/admin/admin-session"


@pytest.fixture
def kms(aws: Aws) -> Any:
    return aws.client("kms", OWNER)


@pytest.fixture
def key_id(kms: Any) -> str:
    return kms.create_key(Description="owner key")["KeyMetadata"]["KeyId"]


def assert_error(code: str, call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as error:
        call()
    assert error_code(error) == code
    return error.value


def only(principal: Any, action: Any = "kms:*", **extra: Any) -> str:
    """A key policy with a single Allow statement."""
    statement: Dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*", **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_policy_name_is_optional_and_only_default_exists(kms: Any, key_id: str) -> None:
    policy = key_policy()
    kms.put_key_policy(KeyId=key_id, Policy=policy)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == policy
    assert kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == policy
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
    assert_error("NotFoundException", lambda: kms.get_key_policy(KeyId=key_id, PolicyName="other"))
    assert_error("NotFoundException", lambda: kms.put_key_policy(KeyId=key_id, PolicyName="other", Policy=policy))


@pytest.mark.parametrize("text", ["not json", "[]", "{}", '{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}', '{"Id": "\u20ac"}'])
def test_malformed_policies(kms: Any, key_id: str, text: str) -> None:
    assert_error("MalformedPolicyDocumentException", lambda: kms.put_key_policy(KeyId=key_id, Policy=text))


def test_policy_size_limit(kms: Any, key_id: str) -> None:
    largest = key_policy().ljust(32768)
    kms.put_key_policy(KeyId=key_id, Policy=largest)
    assert_error("LimitExceededException", lambda: kms.put_key_policy(KeyId=key_id, Policy=largest + " "))


@pytest.fixture
def owner_roles(aws: Aws, fast_iam: float) -> None:
    """The owner's roles the policies below name: KMS refuses principals that don't exist."""
    for name in ("admin", "other"):
        aws.create_role(OWNER, name, account_trust_policy(OWNER))
    aws.wait_for_iam()


@pytest.mark.usefixtures("owner_roles")
@pytest.mark.parametrize("policy", [
    only("*"),
    only({"AWS": OWNER}),
    only({"AWS": f"arn:aws:iam::{OWNER}:root"}),
    only({"AWS": [f"arn:aws:iam::{IMPORTER}:root", role_arn(OWNER)]}),
    only({"AWS": SESSION_ARN}, "kms:PutKeyPolicy"),
    only({"AWS": f"arn:aws:iam::{OWNER}:root"}, ["kms:Get*", "kms:Put*"]),
    only({"AWS": f"arn:aws:iam::{OWNER}:root"}, "*"),
    only({"AWS": f"arn:aws:iam::{OWNER}:root"}, "kms:*", Condition={"StringEquals": {"kms:CallerAccount": STRANGER}}),
])
def test_policies_that_keep_the_caller_in_control(kms: Any, key_id: str, policy: str) -> None:
    kms.put_key_policy(KeyId=key_id, Policy=policy)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == policy


@pytest.mark.usefixtures("owner_roles")
@pytest.mark.parametrize("policy", [
    only({"AWS": f"arn:aws:iam::{IMPORTER}:root"}),
    only({"AWS": role_arn(OWNER, "other")}),
    only({"AWS": f"arn:aws:iam::{OWNER}:root"}, ["kms:Decrypt", "kms:Get*"]),
    only({"Service": "comprehend.amazonaws.com"}),
    json.dumps({"Statement": [json.loads(only("*"))["Statement"][0], {"Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*"}]}),
])
def test_the_lockout_safety_check(kms: Any, key_id: str, policy: str) -> None:
    before = kms.get_key_policy(KeyId=key_id)["Policy"]
    error = assert_error("MalformedPolicyDocumentException", lambda: kms.put_key_policy(KeyId=key_id, Policy=policy))
    assert error.response["Error"]["Message"] == "The new key policy will not allow you to update the key policy in the future."
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == before
    kms.put_key_policy(KeyId=key_id, Policy=policy, BypassPolicyLockoutSafetyCheck=True)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == policy


def test_create_key_checks_its_policy_too(kms: Any) -> None:
    assert_error("MalformedPolicyDocumentException", lambda: kms.create_key(Policy=only({"AWS": IMPORTER})))
    assert_error("MalformedPolicyDocumentException", lambda: kms.create_key(Policy="not json"))
    created = kms.create_key(Policy=only({"AWS": IMPORTER}), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    assert created["KeyManager"] == "CUSTOMER"
    assert kms.create_key(Policy=key_policy())["KeyMetadata"]["KeyId"]


def test_key_policies_are_per_account(aws: Aws, key_id: str) -> None:
    assert_error("NotFoundException", lambda: aws.client("kms", IMPORTER).get_key_policy(KeyId=key_id))


def test_aws_managed_key(aws: Aws, kms: Any) -> None:
    metadata = kms.describe_key(KeyId="alias/aws/comprehend")["KeyMetadata"]
    assert (metadata["KeyManager"], metadata["AWSAccountId"]) == ("AWS", OWNER)
    assert kms.describe_key(KeyId="alias/aws/comprehend")["KeyMetadata"]["KeyId"] == metadata["KeyId"]
    assert kms.describe_key(KeyId=f"arn:aws:kms:us-west-2:{OWNER}:alias/aws/comprehend")["KeyMetadata"]["KeyId"] == metadata["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=metadata["KeyId"])["Policy"])
    assert policy["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"] == "comprehend.us-west-2.amazonaws.com"
    error = assert_error("AccessDeniedException", lambda: kms.put_key_policy(KeyId=metadata["Arn"], Policy=key_policy()))
    assert "AWS managed key" in error.response["Error"]["Message"]
    aliases = {alias["AliasName"]: alias.get("TargetKeyId") for alias in kms.list_aliases()["Aliases"]}
    assert aliases["alias/aws/comprehend"] == metadata["KeyId"]
    others = {
        aws.client("kms", IMPORTER).describe_key(KeyId="alias/aws/comprehend")["KeyMetadata"]["Arn"],
        aws.client("kms", OWNER, region=OTHER_REGION).describe_key(KeyId="alias/aws/comprehend")["KeyMetadata"]["Arn"],
    }
    assert len(others | {metadata["Arn"]}) == 3


def test_aws_aliases_are_reserved(kms: Any, key_id: str) -> None:
    assert_error("NotAuthorizedException", lambda: kms.create_alias(AliasName="alias/aws/comprehend", TargetKeyId=key_id))
    assert_error("NotAuthorizedException", lambda: kms.create_alias(AliasName="alias/aws/anything", TargetKeyId=key_id))


def test_the_rest_of_kms_still_works(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/models", TargetKeyId=key_id)
    assert kms.describe_key(KeyId="alias/models")["KeyMetadata"]["KeyId"] == key_id
    blob = kms.encrypt(KeyId="alias/models", Plaintext=b"secret", EncryptionContext={"aws:comprehend:arn": "x"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"aws:comprehend:arn": "x"})["Plaintext"] == b"secret"
    assert kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")["KeyId"].endswith(key_id)
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    assert key_id in [key["KeyId"] for key in kms.list_keys()["Keys"]]
    grant = kms.create_grant(KeyId=key_id, GranteePrincipal=role_arn(IMPORTER), Operations=["Decrypt"])
    assert grant["GrantId"]


INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."


@pytest.mark.parametrize("principal", [
    {"AWS": role_arn(OWNER, "never-created")},
    {"AWS": f"arn:aws:iam::{IMPORTER}:user/nobody"},
    {"AWS": [f"arn:aws:iam::{OWNER}:root", role_arn(IMPORTER, "never-created")]},
    {"AWS": "not-an-arn"},
    {"AWS": 123},
    {"CanonicalUser": "abc"},
])
def test_principals_that_do_not_exist_are_invalid(kms: Any, key_id: str, principal: Any) -> None:
    policy = key_policy({"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"})
    error = assert_error("MalformedPolicyDocumentException", lambda: kms.put_key_policy(KeyId=key_id, Policy=policy))
    assert error.response["Error"]["Message"] == INVALID_PRINCIPALS
    error = assert_error("MalformedPolicyDocumentException", lambda: kms.create_key(Policy=policy))
    assert error.response["Error"]["Message"] == INVALID_PRINCIPALS


@pytest.mark.parametrize("principal", [
    "*", {"AWS": "*"}, {"AWS": STRANGER}, {"AWS": f"arn:aws:iam::{STRANGER}:root"}, {"Service": "comprehend.amazonaws.com"},
    {"AWS": f"arn:aws:sts::{IMPORTER}:assumed-role/never-created/session"},
])
def test_roots_account_ids_services_and_sessions_need_no_iam_entity(kms: Any, key_id: str, principal: Any) -> None:
    kms.put_key_policy(KeyId=key_id, Policy=key_policy({"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}))


def test_a_new_principal_is_invalid_until_iam_propagates(aws: Aws, kms: Any, key_id: str, control: Any) -> None:
    control.set_options(iam_propagation_seconds=0.5)
    for account in (OWNER, IMPORTER):
        aws.client("iam", account).create_user(UserName="jane")
    policy = key_policy({"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{IMPORTER}:user/jane", f"arn:aws:iam::{OWNER}:user/jane"]},
                         "Action": "kms:Decrypt", "Resource": "*"})
    error = assert_error("MalformedPolicyDocumentException", lambda: kms.put_key_policy(KeyId=key_id, Policy=policy))
    assert error.response["Error"]["Message"] == INVALID_PRINCIPALS
    time.sleep(0.55)
    kms.put_key_policy(KeyId=key_id, Policy=policy)


@pytest.mark.parametrize("key", [
    f"arn:aws:kms::{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    f"arn:aws:kms:US-WEST-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
])
def test_key_arns_with_a_bad_region_are_invalid(kms: Any, key: str) -> None:
    for call in (lambda: kms.describe_key(KeyId=key), lambda: kms.create_grant(KeyId=key, GranteePrincipal=role_arn(OWNER), Operations=["Decrypt"])):
        assert_error("ValidationException", call)


def test_keys_that_do_not_exist_are_not_found(kms: Any, key_id: str) -> None:
    for key in (f"arn:aws:kms:xx-nowhere-9:{OWNER}:key/{key_id}", f"arn:aws:kms:eu-west-1:{OWNER}:key/{key_id}", "alias/nothing"):
        assert_error("NotFoundException", lambda: kms.create_grant(KeyId=key, GranteePrincipal=role_arn(OWNER), Operations=["Decrypt"]))


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_key_state_changes_take_a_key_id_or_a_key_arn(kms: Any, key_id: str, by: str) -> None:
    """DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion: "Specify the key ID or key ARN of the KMS key."
    (KMS API Reference); the deletion calls answer with the key ARN."""
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    key = metadata[by]

    def state() -> str:
        return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]

    kms.disable_key(KeyId=key)
    assert state() == "Disabled"
    kms.enable_key(KeyId=key)
    assert state() == "Enabled"
    assert kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)["KeyId"] == metadata["Arn"]
    assert state() == "PendingDeletion"
    assert kms.cancel_key_deletion(KeyId=key)["KeyId"] == metadata["Arn"]
    assert state() == "Disabled"


def test_key_state_changes_refuse_aliases_and_other_accounts_keys(aws: Aws, kms: Any, key_id: str) -> None:
    """KeyId of these calls names a key ID or key ARN only (KMS API Reference): an alias names no key here."""
    kms.create_alias(AliasName="alias/models", TargetKeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    importer = aws.client("kms", IMPORTER)
    for call in (lambda: kms.disable_key(KeyId="alias/models"), lambda: importer.disable_key(KeyId=arn),
                 lambda: importer.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)):
        assert_error("NotFoundException", call)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
