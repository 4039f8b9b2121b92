# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Model versions' resource policies on AWS: the store converge reads and writes, and many versions at once.

Clients are expected to come from aws.retrying_client: every call passes aws_retry=True, so throttling and
internal errors are retried with jittered backoff.
"""

from __future__ import annotations

from typing import AbstractSet, Any, Dict, List, Optional, Sequence, Tuple

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import concurrently
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_message
from ansible_collections.seed.comprehend.plugins.module_utils.aws import failure_message
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.converge import PlanRefused
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Read
from ansible_collections.seed.comprehend.plugins.module_utils.converge import StaleRevisionError
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge_many
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_properties
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import missing_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import PolicyRequest
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import ResourcePolicyPlanner
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import outcome_result
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy

# Unverified: AWS does not document the error for a stale PolicyRevisionId, nor its message. These codes, which other
# AWS services use for a failed precondition, always mean one. InvalidRequestException (the likely one) also answers
# a write that is wrong in itself, so it is told apart by reading the policy again: see ModelPolicyStore._write.
STALE_REVISION_CODES = (
    "PreconditionFailed",
    "PreconditionFailedException",
    "ConcurrentModificationException",
    "ConflictException",
    "ConditionalCheckFailedException",
)


def _refused(error: BaseException, model: ModelArn, revision_id: str) -> OperationError:
    return OperationError(
        f"Comprehend refused the resource policy of {model.arn} ({error_code(error)}: {error_message(error)}). The policy "
        f"is still at revision {revision_id}, the one the write named, so this is not a change by another writer: the "
        "request itself was refused", resource_arn=model.arn)


class ModelPolicyStore:
    """The resource policy of one model version (converge.PolicyStore over a Comprehend client)."""

    def __init__(self, client: Any, model: ModelArn, model_seen: bool = False) -> None:
        self.client = client
        self.model = model
        self.what = f"the resource policy of {model.arn}"
        self.details = {"resource_arn": model.arn}
        self.model_seen = model_seen  # whether the model is known to exist

    def read(self) -> Optional[Stored]:
        """The attached policy or None. Both "no policy" answers (an empty Describe answer, or
        ResourceNotFoundException) would also fit a missing model, so then the model itself is checked, once: a
        model deleted later makes the write fail with ResourceNotFoundException, reported as a missing model."""
        stored = self.read_policy()
        if stored is None and not self.model_seen:
            describe_model(self.client, self.model)
            self.model_seen = True
        return stored

    def read_policy(self) -> Optional[Stored]:
        """The attached policy or None, without checking that a model without one exists."""
        try:
            response = self.client.describe_resource_policy(aws_retry=True, ResourceArn=self.model.arn)
        except is_boto3_error_code("ResourceNotFoundException"):
            response = {}
        if response.get("ResourcePolicy"):
            return Stored(response["ResourcePolicy"], response.get("PolicyRevisionId") or None)
        return None

    def write(self, document: Any, revision_id: Optional[str]) -> Optional[str]:
        """PutResourcePolicy, or DeleteResourcePolicy for None, conditional on revision_id when there is one (the
        first policy is written without)."""
        if document is None:
            self._write("delete_resource_policy", revision_id)
            return None
        return self._write("put_resource_policy", revision_id, ResourcePolicy=render_policy(document))["PolicyRevisionId"]

    def _write(self, method: str, revision_id: Optional[str], **params: Any) -> Dict[str, Any]:
        if revision_id:
            params["PolicyRevisionId"] = revision_id
        try:
            return getattr(self.client, method)(aws_retry=True, ResourceArn=self.model.arn, **params)
        except ClientError as error:
            code = error_code(error)
            if not revision_id:
                if code == "ResourceNotFoundException":
                    raise missing_model(self.model) from error
                raise
            if self._revision_moved(code, revision_id):
                raise StaleRevisionError(f"{self.model.arn}: revision {revision_id} is no longer current ({code})") from error
            if code == "InvalidRequestException":
                raise _refused(error, self.model, revision_id) from error
            raise

    def _revision_moved(self, code: str, revision_id: str) -> bool:
        """Whether a conditional write was refused because the policy changed since it was read."""
        # ResourceNotFoundException may only mean that someone deleted the policy after it was read; the next read
        # tells that apart from a deleted model.
        if code in STALE_REVISION_CODES or code == "ResourceNotFoundException":
            return True
        if code != "InvalidRequestException":
            return False
        # Whatever its message says: a revision that moved on since it was read is a conflict (plan again), one that
        # didn't is a refusal of the request itself.
        current = self.read()
        return (current.revision_id if current else None) != revision_id


def _failure(failed: List[Tuple[ModelArn, BaseException]], total: int, message: str, **details: Any) -> BaseException:
    """One model version's own error, as a task with O(resource_arn) reported it before 0.2.0; for several, one error
    naming each failed version. ``message`` is formatted with ``failed``, ``total`` and ``listed``."""
    if total == 1:
        return failed[0][1]
    listed = "; ".join(f"{model.arn}: {failure_message(error)}" for model, error in failed)
    return OperationError(message.format(failed=len(failed), total=total, listed=listed), **details)


def _failed(models: Sequence[ModelArn], runs: List[Tuple[Any, Optional[BaseException]]]) -> List[Tuple[ModelArn, BaseException]]:
    return [(model, error) for model, (_result, error) in zip(models, runs) if error]


def _check_models_exist(stores: List[ModelPolicyStore]) -> List[Tuple[ModelArn, BaseException]]:
    """Check that the models of policies read as none exist (model_properties: a List call per page for the versions of
    one model), each region with its own client; the missing ones, with their error."""
    missing: List[Tuple[ModelArn, BaseException]] = []
    by_client: Dict[int, List[ModelPolicyStore]] = {}
    for store in stores:
        by_client.setdefault(id(store.client), []).append(store)
    for group in by_client.values():
        found = model_properties(group[0].client, [store.model for store in group])
        missing += [(store.model, missing_model(store.model)) for store in group if store.model.arn not in found]
    return missing


def converge_models(stores: List[ModelPolicyStore], requests: List[PolicyRequest], check_mode: bool,
                    planned_without_policy: AbstractSet[str] = frozenset()) -> List[Outcome]:
    """The policies of one or several model versions (converge.converge_many, PARALLEL_CALLS at a time). All are read
    and planned first, so that a missing model or a refused read or plan stops the task before any write.

    A version in ``planned_without_policy`` is not read: a plan moments before found it without a policy (and its
    model there), so its first policy is written straight away, then read back like every first write. Any other
    version read without a policy is read again as the first round starts (not in check mode), the closest to its
    unconditional write that a read can be; one read with a policy is written conditionally on the revision read.
    """
    models = [request.model for request in requests]
    to_read = [index for index, model in enumerate(models) if model.arn not in planned_without_policy]
    reads = dict(zip(to_read, concurrently(lambda index: stores[index].read_policy(), to_read)))
    unread = [(models[index], error) for index, (_stored, error) in reads.items() if error]
    if not unread:
        unread = _check_models_exist([stores[index] for index, (stored, _error) in reads.items() if stored is None
                                      and not stores[index].model_seen])
    if unread:
        raise _failure(unread, len(stores), "nothing was written: {failed} of {total} resource policies could not be read: {listed}")

    def first_read(index: int) -> Optional[Read]:
        if index not in reads:
            return Read(None)  # planned without a policy
        stored = reads[index][0]
        # None: read again as the first round starts, to write on the latest (a plan writes nothing: no need).
        return Read(stored) if stored or check_mode else None

    first_reads = [first_read(index) for index in range(len(stores))]
    for store in stores:
        store.model_seen = True  # each model was planned, has a policy, or was just checked
    try:
        runs = converge_many(stores, [ResourcePolicyPlanner(request) for request in requests], check_mode,
                             first_reads=first_reads, map_items=concurrently)
    except PlanRefused as refused:
        raise _failure([(models[index], error) for index, error in refused.failed], len(stores),
                       "nothing was written: {failed} of {total} resource policies could not be read or planned: {listed}") from None
    failed = _failed(models, runs)
    if failed:
        done = [(request, outcome) for request, (outcome, error) in zip(requests, runs) if not error]
        raise _failure(
            failed, len(stores), "{failed} of {total} resource policies could not be converged ({listed}); the others were, "
            "and resources lists them: run the task again",
            changed=any(outcome.changed for _request, outcome in done),
            resources=[outcome_result(outcome, request) for request, outcome in done])
    return [outcome for outcome, _error in runs]
