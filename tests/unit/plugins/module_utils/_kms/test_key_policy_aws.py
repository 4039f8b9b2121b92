# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the KMS helpers against botocore's Stubber: exact requests, error handling, converging (converge.converge
over a KeyPolicyStore and a KeyPolicyPlanner)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.seed.comprehend.plugins.module_utils.aws import RETRYABLE_ERROR_CODES
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._kms import key_policy_aws as kms
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import POLICY_SIZE_LIMIT
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import owns
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import plan_change
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import read_grants
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import build_grant_request
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy

OWNER = "111122223333"
KEY_ARN = f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL = f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/classifierName/version/1"
DEFAULT_POLICY = {
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "kms:*", "Resource": "*"}],
}
METADATA = {"AWSAccountId": OWNER, "KeyId": KEY_ARN.rsplit("/", 1)[1], "Arn": KEY_ARN, "KeyManager": "CUSTOMER",
            "KeyState": "Enabled", "Enabled": True}
IMPORTER_ROOT = "arn:aws:iam::444455556666:root"
GRANT = build_grant_request({"state": "present", "model_arns": [MODEL], "principals": ["444455556666"], "purge_principals": True,
                             "policy_size_limit": POLICY_SIZE_LIMIT}, KEY_ARN)


@pytest.fixture(name="stubbed")
def fixture_stubbed(stub_client):
    """A stubbed KMS client wrapped like retrying_client() does, with a retry that doesn't sleep."""
    client, stubber = stub_client("kms", AWSRetry.jittered_backoff(retries=3, delay=0, catch_extra_error_codes=RETRYABLE_ERROR_CODES))
    return stubber, client


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def expect_get(stubber, policy=None, key_arn=KEY_ARN):
    stubber.add_response("get_key_policy", {"Policy": json.dumps(policy or DEFAULT_POLICY, indent=2), "PolicyName": "default"},
                         {"KeyId": key_arn, "PolicyName": "default"})


def expect_put(stubber, policy, error=None, message="", key_arn=KEY_ARN):
    expected = {"KeyId": key_arn, "PolicyName": "default", "Policy": render_policy(policy)}
    if error:
        stubber.add_client_error("put_key_policy", error, message, expected_params=expected)
    else:
        stubber.add_response("put_key_policy", {}, expected)


@pytest.mark.parametrize("key_id", [KEY_ARN, "1234abcd-12ab-34cd-56ef-1234567890ab", "alias/comprehend-models",
                                    f"arn:aws:kms:us-west-2:{OWNER}:alias/comprehend-models"])
def test_describe_key_resolves_every_kind_of_key_id(stubbed, key_id):
    stubber, client = stubbed
    stubber.add_response("describe_key", {"KeyMetadata": METADATA}, {"KeyId": key_id})
    assert kms.describe_key(client, key_id) == METADATA


def test_describe_key_unknown_key(stubbed):
    stubber, client = stubbed
    stubber.add_client_error("describe_key", "NotFoundException", "Alias alias/x is not found.")
    with pytest.raises(OperationError, match="^key_id: KMS knows no key 'alias/x' in this account and region"):
        kms.describe_key(client, "alias/x")


def test_describe_key_other_errors_propagate(stubbed):
    stubber, client = stubbed
    stubber.add_client_error("describe_key", "AccessDeniedException", "no")
    with pytest.raises(ClientError):
        kms.describe_key(client, KEY_ARN)


def test_get_key_policy_always_names_the_default_policy(stubbed):
    stubber, client = stubbed
    expect_get(stubber)
    assert kms.get_key_policy(client, KEY_ARN) == DEFAULT_POLICY


@pytest.mark.parametrize("code", ["AccessDeniedException", "NotFoundException", "KMSInvalidStateException"])
def test_a_failed_read_is_a_failure_never_an_empty_policy(stubbed, code):
    stubber, client = stubbed
    stubber.add_client_error("get_key_policy", code, "denied for the test")
    with pytest.raises(OperationError, match=f"^Could not read the key policy of {KEY_ARN} \\({code}: denied for the test\\)"
                                             ". The module edits the policy statement by statement and never assumes it is empty"):
        kms.get_key_policy(client, KEY_ARN)


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"Statement": []}'])
def test_an_unreadable_policy_is_a_failure(stubbed, text):
    stubber, client = stubbed
    stubber.add_response("get_key_policy", {"Policy": text} if text else {})
    with pytest.raises(OperationError, match=f"^KMS returned a key policy the module can't read: the key policy of {KEY_ARN}"):
        kms.get_key_policy(client, KEY_ARN)


def test_throttling_and_internal_errors_are_retried(stubbed):
    stubber, client = stubbed
    stubber.add_client_error("get_key_policy", "ThrottlingException", "slow down")
    stubber.add_client_error("get_key_policy", "KMSInternalException", "oops")
    expect_get(stubber)
    assert kms.get_key_policy(client, KEY_ARN) == DEFAULT_POLICY


def test_put_sends_exactly_key_name_and_compact_policy(stubbed):
    """Stubber compares parameters exactly: BypassPolicyLockoutSafetyCheck is never sent."""
    stubber, client = stubbed
    expect_put(stubber, DEFAULT_POLICY)
    kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=Sleeps())


def test_put_waits_for_a_principal_iam_does_not_know_yet(stubbed):
    stubber, client = stubbed
    for _attempt in range(3):
        expect_put(stubber, DEFAULT_POLICY, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.")
    expect_put(stubber, DEFAULT_POLICY)
    sleeps = Sleeps()
    kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=sleeps)
    assert sleeps == [2.0, 4.0, 8.0]


@pytest.mark.parametrize("message", ["Policy contains a statement with one or more invalid principals.", "", "Invalid"])
def test_put_gives_up_on_malformed_after_the_wait_with_a_clear_message(stubbed, message):
    """Any other wording is taken for a principal IAM may not know yet: retried, bounded, then explained."""
    stubber, client = stubbed
    for _attempt in range(7):
        expect_put(stubber, DEFAULT_POLICY, "MalformedPolicyDocumentException", message)
    sleeps = Sleeps()
    with pytest.raises(OperationError, match=r"^KMS refused the new key policy of .* for 62 seconds \(.*\)\. A principal it "
                                             r"names may not exist, or IAM may not know it yet: check the principals"):
        kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=sleeps)
    assert sleeps == [2.0, 4.0, 8.0, 16.0, 16.0, 16.0] and sum(sleeps) >= kms.PRINCIPAL_WAIT_SECONDS


@pytest.mark.parametrize("message", ["The new key policy will not allow you to update the key policy in the future.",
                                     "Policy would cause a LOCKOUT of the caller"])
def test_put_fails_at_once_on_the_lockout_safety_check(stubbed, message):
    stubber, client = stubbed
    expect_put(stubber, DEFAULT_POLICY, "MalformedPolicyDocumentException", message)
    sleeps = Sleeps()
    with pytest.raises(OperationError, match=r"^KMS refused the new key policy of .*: with it, the identity running this task "
                                             r"could no longer manage the key \(KMS's lockout safety check\)\. The module "
                                             r"never bypasses that check") as info:
        kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=sleeps)
    assert sleeps == [] and "keep or restore the key's administrator statement" in str(info.value)


def test_put_over_the_size_limit(stubbed):
    stubber, client = stubbed
    expect_put(stubber, DEFAULT_POLICY, "LimitExceededException", "Policy too big")
    with pytest.raises(OperationError, match=r"as too large \(Policy too big\), although it is \d+ bytes, within "
                                             r"policy_size_limit: KMS's limit is the one that counts\. Grant a pattern"):
        kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=Sleeps())


def test_put_other_errors_propagate(stubbed):
    stubber, client = stubbed
    expect_put(stubber, DEFAULT_POLICY, "KMSInvalidStateException", "pending deletion")
    with pytest.raises(ClientError):
        kms.put_key_policy(client, KEY_ARN, DEFAULT_POLICY, sleep=Sleeps())


# ---------------------------------------------------------------- converging


def granted_policy():
    return plan_change(json.loads(json.dumps(DEFAULT_POLICY)), GRANT).after


def test_converge_writes_then_verifies(stubbed):
    stubber, client = stubbed
    expect_get(stubber)
    expect_put(stubber, granted_policy())
    expect_get(stubber, granted_policy())
    outcome = kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=False, sleep=Sleeps())
    assert isinstance(outcome, Outcome)
    assert outcome.changed and outcome.before == DEFAULT_POLICY and outcome.after == granted_policy()
    assert outcome.change.detail.grants == {(IMPORTER_ROOT, MODEL)} and outcome.revision_id is None


def test_converge_without_change_only_reads(stubbed):
    stubber, client = stubbed
    expect_get(stubber, granted_policy())
    outcome = kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=False, sleep=Sleeps())
    assert not outcome.changed and outcome.before == outcome.after == granted_policy()
    assert outcome.change.detail.grants == read_grants(granted_policy(), "aws")


def test_converge_in_check_mode_only_reads(stubbed):
    stubber, client = stubbed
    expect_get(stubber)
    outcome = kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=True, sleep=Sleeps())
    assert outcome.changed and outcome.after == granted_policy()
    assert outcome.change.detail.grants == {(IMPORTER_ROOT, MODEL)}


def test_converge_reapplies_after_interference(stubbed):
    """Another writer replaced the policy right after the write: the module's grants are applied on top of it."""
    stubber, client = stubbed
    theirs = json.loads(json.dumps(DEFAULT_POLICY))
    theirs["Statement"].append({"Sid": "TheirNewStatement", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                "Action": "kms:Encrypt", "Resource": "*"})
    ours_on_theirs = plan_change(json.loads(json.dumps(theirs)), GRANT).after
    expect_get(stubber)
    expect_put(stubber, granted_policy())
    expect_get(stubber, theirs)  # the read back: our statements are gone
    expect_get(stubber, theirs)
    expect_put(stubber, ours_on_theirs)
    expect_get(stubber, ours_on_theirs)
    sleeps = Sleeps()
    outcome = kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=False, sleep=sleeps)
    assert outcome.changed and outcome.before == DEFAULT_POLICY and outcome.after == ours_on_theirs
    assert [s["Sid"] for s in outcome.after["Statement"] if not owns(s, "aws")] == ["Enable IAM User Permissions", "TheirNewStatement"]
    assert len(sleeps) == 3, "settle, back off, settle"


def test_converge_settles_when_a_late_read_shows_the_write(stubbed):
    """An eventually consistent read back is followed by a fresh read that shows the write: no second write."""
    stubber, client = stubbed
    expect_get(stubber)
    expect_put(stubber, granted_policy())
    expect_get(stubber)
    expect_get(stubber, granted_policy())
    outcome = kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=False, sleep=Sleeps())
    assert outcome.changed and outcome.after == granted_policy()


def test_converge_fails_clearly_when_interference_persists(stubbed):
    stubber, client = stubbed
    for _attempt in range(kms.WRITE_ATTEMPTS):
        expect_get(stubber)
        expect_put(stubber, granted_policy())
        expect_get(stubber, {"Version": "2012-10-17", "Statement": [{"Sid": "Replaced", "Effect": "Allow"}]})
    with pytest.raises(OperationError, match=f"^the key policy of {KEY_ARN} changed under this task 8 times in a row "
                                             r"\(another writer is busy; last time this module's statements are not as written; the "
                                             r"statement 'Enable IAM User Permissions' that was there before is gone or changed\); "
                                             r"nothing of the other writes was lost: run the task again") as info:
        kms.converge_key_policy(client, KEY_ARN, GRANT, check_mode=False, sleep=Sleeps())
    assert info.value.details == {"key_arn": KEY_ARN}
