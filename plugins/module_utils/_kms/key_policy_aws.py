# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KMS on AWS for kms_comprehend_grant: describe a key, and its key policy as the store converge reads and writes.

``client`` is a client from aws.retrying_client(): every call passes aws_retry=True, so throttling and
KMS internal errors are retried with jittered backoff.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_id
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_message
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Change
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import GrantRequest
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import plan_change
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import policy_size
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import verify_written
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import Policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import load_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy

# The only key policy name KMS knows; moto requires it, so it is always sent.
POLICY_NAME = "default"
# How long a principal IAM may not know yet is waited for, and the pauses between tries (doubling up to the cap).
PRINCIPAL_WAIT_SECONDS = 60
PRINCIPAL_FIRST_PAUSE = 2.0
PRINCIPAL_MAX_PAUSE = 16.0
# How many times the module re-applies its change when another writer interferes.
WRITE_ATTEMPTS = 8


def describe_key(client: Any, key_id: str) -> Dict[str, Any]:
    """KeyMetadata of a key ID, key ARN, alias name or alias ARN."""
    check_key_id(key_id, "key_id")
    try:
        return client.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        raise OperationError(f"key_id: KMS knows no key {key_id!r} in this account and region") from None


def get_key_policy(client: Any, key_arn: str) -> Policy:
    """The key policy, parsed. A failed or empty read is an error: never assume an empty policy."""
    try:
        text = client.get_key_policy(KeyId=key_arn, PolicyName=POLICY_NAME, aws_retry=True).get("Policy")
    except ClientError as error:
        raise OperationError(
            f"Could not read the key policy of {key_arn} ({error_code(error)}: {error_message(error) or error_code(error)}). "
            "The module edits the policy statement by statement and never assumes it is empty.",
            key_arn=key_arn,
        ) from None
    try:
        return load_policy(text, option=f"the key policy of {key_arn}")
    except InvalidInputError as error:
        raise OperationError(f"KMS returned a key policy the module can't read: {error}", key_arn=key_arn) from None


def put_key_policy(client: Any, key_arn: str, policy: Policy, wait: float = PRINCIPAL_WAIT_SECONDS,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    """Write the key policy. BypassPolicyLockoutSafetyCheck is never sent.

    KMS answers MalformedPolicyDocumentException both for a principal it can't resolve (which may only be IAM not
    knowing a new role yet) and for a policy that fails the lockout safety check. Only the first can heal, so only
    it is retried, for about ``wait`` seconds with doubling pauses.
    """
    waited, delay = 0.0, PRINCIPAL_FIRST_PAUSE
    while True:
        try:
            client.put_key_policy(KeyId=key_arn, PolicyName=POLICY_NAME, Policy=render_policy(policy), aws_retry=True)
            return
        except ClientError as error:
            code, message = error_code(error), error_message(error) or error_code(error)
            if code == "MalformedPolicyDocumentException" and is_lockout_refusal(message):
                raise OperationError(
                    f"KMS refused the new key policy of {key_arn} ({message}): with it, the identity running this task "
                    "could no longer manage the key (KMS's lockout safety check). The module never bypasses that check "
                    "and never changes statements it didn't write, so the key policy already lacks a statement that "
                    "lets this identity call kms:PutKeyPolicy without conditions: keep or restore the key's "
                    "administrator statement (such as the default 'Enable IAM User Permissions' for the account "
                    "root), or run the task as one of the key's administrators. KMS kept the key policy as it was.",
                    key_arn=key_arn,
                ) from None
            if code == "MalformedPolicyDocumentException" and waited < wait:
                sleep(delay)
                waited, delay = waited + delay, min(delay * 2, PRINCIPAL_MAX_PAUSE)
                continue
            if code == "MalformedPolicyDocumentException":
                raise OperationError(
                    f"KMS refused the new key policy of {key_arn} for {waited:.0f} seconds ({message}). A principal it "
                    "names may not exist, or IAM may not know it yet: check the principals (a role or user must exist "
                    "in its account before a key policy can name it; name its account instead, or create it first). "
                    "KMS kept the key policy as it was.", key_arn=key_arn,
                ) from None
            if code == "LimitExceededException":
                raise OperationError(
                    f"KMS refused the new key policy of {key_arn} as too large ({message}), although it is "
                    f"{policy_size(policy)} bytes, within policy_size_limit: KMS's limit is the one that counts. "
                    "Grant a pattern instead of single model versions. KMS kept the key policy as it was.", key_arn=key_arn,
                ) from None
            raise


def is_lockout_refusal(message: str) -> bool:
    """Whether a MalformedPolicyDocumentException is the lockout safety check.

    AWS doesn't promise its wording, so this errs on the side of not retrying only what surely can't heal: a message
    that speaks of the lockout or of updating the key policy in the future. Any other malformed-policy refusal is
    taken for a principal IAM may not know yet, and retried for a bounded time.
    """
    text = message.lower()
    return "lockout" in text or "update the key policy in the future" in text


class KeyPolicyStore:
    """The policy of one key (converge.PolicyStore over a KMS client). KMS has no revision ID: every write is
    unconditional, so converge reads each one back."""

    def __init__(self, client: Any, key_arn: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.key_arn = key_arn
        self.what = f"the key policy of {key_arn}"
        self.details = {"key_arn": key_arn}
        self._sleep = sleep

    def read(self) -> Optional[Stored]:
        return Stored(get_key_policy(self.client, self.key_arn))

    def write(self, document: Any, revision_id: Optional[str]) -> Optional[str]:
        put_key_policy(self.client, self.key_arn, document, sleep=self._sleep)
        return None


@dataclass(frozen=True)
class KeyPolicyPlanner:
    """converge.Planner of one grant request on a key policy. A read-back must hold this request's grants and every
    foreign statement seen before the write."""

    request: GrantRequest

    def plan(self, stored: Optional[Stored]) -> Change:
        plan = plan_change(stored.document if stored else {}, self.request)
        return Change(plan.before, plan.after, plan.changed, plan)

    def lost(self, written: Change, read_back: Change) -> List[str]:
        return verify_written(written.detail, read_back.before, self.request.partition)


def converge_key_policy(client: Any, key_arn: str, request: GrantRequest, check_mode: bool,
                        attempts: int = WRITE_ATTEMPTS, sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Read, plan, write, read back and verify (converge.converge); re-apply on interference up to ``attempts`` times."""
    return converge(KeyPolicyStore(client, key_arn, sleep=sleep), KeyPolicyPlanner(request), check_mode,
                    attempts=attempts, sleep=sleep)
