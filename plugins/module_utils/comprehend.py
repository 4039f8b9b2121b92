# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin boto3 helpers for Comprehend custom models and their resource policies.

Clients are expected to come from aws.retrying_client: every call passes aws_retry=True, so throttling and
internal errors are retried with jittered backoff.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import Outcome
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import PolicyRequest
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import StaleRevisionError
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import StoredPolicy
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import converge
from ansible_collections.seed.comprehend.plugins.module_utils.resource_policy import outcome_result

# resource type -> (client method, ARN parameter, result key)
_DESCRIBE = {
    "document-classifier": ("describe_document_classifier", "DocumentClassifierArn", "DocumentClassifierProperties"),
    "entity-recognizer": ("describe_entity_recognizer", "EntityRecognizerArn", "EntityRecognizerProperties"),
}

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
# Model versions whose policies one task converges at once: each is its own resource, so they don't contend, and
# the pause after a first (unconditional) write overlaps instead of adding up. Kept low for Comprehend's rate limits
# (throttling is retried anyway).
PARALLEL_MODELS = 4

Item = TypeVar("Item")


def missing_model(model: ModelArn) -> OperationError:
    return OperationError(
        f"the {model.resource_type} {model.arn} does not exist, or this account can't see it",
        resource_arn=model.arn,
    )


def describe_model(client: Any, model: ModelArn) -> Dict[str, Any]:
    """DescribeDocumentClassifier / DescribeEntityRecognizer properties; OperationError naming the ARN if missing."""
    method, parameter, key = _DESCRIBE[model.resource_type]
    try:
        return getattr(client, method)(aws_retry=True, **{parameter: model.arn})[key]
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            raise missing_model(model) from None
        raise


def _refused(error: BaseException, model: ModelArn, revision_id: str) -> OperationError:
    return OperationError(
        f"Comprehend refused the resource policy of {model.arn} ({error_code(error)}: {_message(error)}). The policy "
        f"is still at revision {revision_id}, the one the write named, so this is not a change by another writer: the "
        "request itself was refused", resource_arn=model.arn)


def _message(error: BaseException) -> str:
    return (getattr(error, "response", None) or {}).get("Error", {}).get("Message") or ""


class ModelPolicyStore:
    """The resource policy of one model version (resource_policy.PolicyStore over a Comprehend client)."""

    def __init__(self, client: Any, model: ModelArn, model_seen: bool = False) -> None:
        self.client = client
        self.model = model
        self._model_seen = model_seen  # whether the model is known to exist

    def read(self) -> Optional[StoredPolicy]:
        """The attached policy or None. Both "no policy" answers (an empty Describe answer, or
        ResourceNotFoundException) would also fit a missing model, so then the model itself is checked, once: a
        model deleted later makes the write fail with ResourceNotFoundException, reported as a missing model."""
        try:
            response = self.client.describe_resource_policy(aws_retry=True, ResourceArn=self.model.arn)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            response = {}
        if response.get("ResourcePolicy"):
            return StoredPolicy(response["ResourcePolicy"], response.get("PolicyRevisionId") or None)
        if not self._model_seen:
            describe_model(self.client, self.model)
            self._model_seen = True
        return None

    def put(self, text: str, revision_id: Optional[str]) -> str:
        """PutResourcePolicy, conditional on revision_id when there is one (the first policy is written without)."""
        return self._write("put_resource_policy", revision_id, ResourcePolicy=text)["PolicyRevisionId"]

    def delete(self, revision_id: Optional[str]) -> None:
        """DeleteResourcePolicy, conditional on revision_id when there is one."""
        self._write("delete_resource_policy", revision_id)

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


def _failure(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return f"AWS call failed ({error_code(error)}): {error.response.get('Error', {}).get('Message', '')}"
    return str(error) if isinstance(error, OperationError) else f"AWS call failed ({type(error).__name__}): {error}"


def _each(function: Callable[[Item], Any], items: Sequence[Item]) -> List[Tuple[Any, Optional[BaseException]]]:
    """function(item) for every item, PARALLEL_MODELS at a time: (result, None) or (None, AWS error), in order."""
    def guarded(item: Item) -> Tuple[Any, Optional[BaseException]]:
        try:
            return function(item), None
        except (OperationError, ClientError, BotoCoreError) as error:
            return None, error

    with ThreadPoolExecutor(max_workers=min(PARALLEL_MODELS, len(items))) as pool:
        return list(pool.map(guarded, items))


def converge_models(stores: List[ModelPolicyStore], requests: List[PolicyRequest], check_mode: bool) -> List[Outcome]:
    """The policies of several model versions. All are read first, so that a missing model or a refused read stops
    the task before any write; then each is converged on its own (resource_policy.converge)."""
    reads = _each(lambda store: store.read(), stores)
    unread = [f"{store.model.arn}: {_failure(error)}" for store, (_read, error) in zip(stores, reads) if error]
    if unread:
        raise OperationError(f"nothing was written: {len(unread)} of {len(stores)} resource policies could not be read: "
                             + "; ".join(unread))

    # A policy read here is reused: every write on it names its revision, so a change since is caught. converge
    # reads "no policy" again itself, right before the unconditional first write.
    runs = _each(lambda index: converge(stores[index], requests[index], check_mode, first_read=reads[index][0]),
                 range(len(stores)))
    failed = [f"{request.model.arn}: {_failure(error)}" for request, (_outcome, error) in zip(requests, runs) if error]
    if failed:
        done = [(request, outcome) for request, (outcome, error) in zip(requests, runs) if not error]
        raise OperationError(
            f"{len(failed)} of {len(stores)} resource policies could not be converged ({'; '.join(failed)}); the "
            "others were, and resources lists them: run the task again",
            changed=any(outcome.changed for _request, outcome in done),
            resources=[outcome_result(outcome, request) for request, outcome in done])
    return [outcome for outcome, _error in runs]
