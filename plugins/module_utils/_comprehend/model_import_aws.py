# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""comprehend_import_model's AWS side: find an earlier copy, call ImportModel (retrying KMS validation while IAM
propagates a new service role), explain a KMS refusal from the role's own policies, wait for training, reconcile the
copy's tags."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_managed_policy_by_arn
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_managed_policy_version
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_attached_policies
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import list_models
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.api import model_arn_key
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import KMS_VALIDATION_ERROR
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import ImportRequest
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import RoleCheck
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import check_own_key_account
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import copy_from_source
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import kms_refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import missing_key_permissions
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_import import refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import NEVER_TRAINED_STATUSES
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.model_info import TRAINED_STATUSES

FIRST_POLL_DELAY = 1.0
MAX_POLL_DELAY = 30.0
# Retrying KMS validation: IAM usually propagates within seconds, rarely a minute.
FIRST_RETRY_DELAY = 2.0
MAX_RETRY_DELAY = 15.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def pauses(timeout: float, first: float, longest: float, clock: Clock) -> Iterator[float]:
    """The pauses of a bounded backoff: first, twice that... at most longest each, while they end before timeout."""
    deadline = clock() + timeout
    delay = first
    while clock() + delay <= deadline:
        yield delay
        delay = min(delay * 2, longest)


def caller_account(sts: Any) -> str:
    return sts.get_caller_identity(aws_retry=True)["Account"]


def find_copy(comprehend: Any, request: ImportRequest, account: str) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    """(ARN, properties) of the copy already in the account; properties None if there is none.

    With a version name the copy's ARN is documented, so it is described (comprehend:Describe* only). Without one
    AWS doesn't say which ARN the copy gets, so the models of that name are listed and the one imported from the
    source is the copy."""
    target = request.target_arn(account)
    if target:
        try:
            return target, describe_model(comprehend, parse_model_arn(target, option="model_name"))
        except OperationError:
            return target, None
    found = copy_from_source(list_models(comprehend, request.source.resource_type, request.model_name), request)
    return (found[model_arn_key(request.source.resource_type)], dict(found)) if found else (None, None)


def _role_policies(iam: Any, role_name: str) -> Optional[List[Any]]:
    """The documents of the role's inline and attached policies; None if the role doesn't exist."""
    if get_iam_role(iam, role_name) is None:
        return None
    documents = [iam.get_role_policy(aws_retry=True, RoleName=role_name, PolicyName=name)["PolicyDocument"]
                 for name in list_iam_role_policies(iam, role_name)]
    for attached in list_iam_role_attached_policies(iam, role_name):
        policy = get_iam_managed_policy_by_arn(iam, attached["PolicyArn"])
        documents.append(get_iam_managed_policy_version(iam, attached["PolicyArn"], policy["DefaultVersionId"])["Document"])
    return documents


def check_role(iam: Any, request: ImportRequest, account: str) -> RoleCheck:
    """Whether the data access role's own policies allow the keys; these reads run only to explain a refusal, so a
    refused read is reported as "couldn't check", never as a failure of its own."""
    if not request.source_key_arn:
        return RoleCheck(unchecked="source_kms_key_arn is not set, so the source key is unknown")
    role_name = request.role_arn.rsplit("/", 1)[-1]
    try:
        documents = _role_policies(iam, role_name)
    except (AnsibleAWSError, ClientError) as error:
        return RoleCheck(unchecked=str(error))
    if documents is None:
        return RoleCheck(exists=False)
    try:
        return RoleCheck(missing=missing_key_permissions(documents, request.key_arns(account)))
    except (ValueError, AttributeError):
        return RoleCheck(unchecked="one of its policies is not a JSON policy document")


def start_import(comprehend: Any, iam: Any, request: ImportRequest, account: str, retry_timeout: float,
                 sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> str:
    """ImportModel. A KmsKeyValidationException is retried for retry_timeout seconds (a new service role may not be
    visible to Comprehend yet), unless the role's own policies plainly lack a key; then it is explained."""
    started, retried = clock(), False
    retries = pauses(retry_timeout, FIRST_RETRY_DELAY, MAX_RETRY_DELAY, clock)
    check: Optional[RoleCheck] = None
    while True:
        try:
            return comprehend.import_model(aws_retry=True, **request.parameters)["ModelArn"]
        except ClientError as error:
            code, aws_message = error_code(error), error_message(error)
            if code != KMS_VALIDATION_ERROR:
                message = refusal_message(code, aws_message, request, account)
                if message:
                    raise OperationError(message, source_model_arn=request.source.arn, error_code=code) from None
                raise
            if check is None:
                check = check_role(iam, request, account) if request.role_arn else RoleCheck()
            # Retrying helps only while IAM propagates: not when the role plainly lacks a key or doesn't exist.
            usable = request.role_arn and check.exists and not check.missing
            pause = next(retries, None) if usable else None
            if pause is None:
                message = kms_refusal_message(request, account, aws_message, check,
                                              clock() - started if retried else 0)
                raise OperationError(message, source_model_arn=request.source.arn, error_code=code) from None
            sleep(pause)
            retried = True


def wait_until_trained(comprehend: Any, model: ModelArn, timeout: float, longest: float = MAX_POLL_DELAY,
                       sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> Dict[str, Any]:
    """Poll with growing delays until the model is trained; a status it never leaves trained fails with its message."""
    waits = pauses(timeout, min(FIRST_POLL_DELAY, longest), longest, clock)
    polls: List[str] = []
    while True:
        properties = describe_model(comprehend, model)
        status = properties.get("Status")
        polls.append(status)
        if status in TRAINED_STATUSES:
            return dict(properties, Polls=polls)
        if status in NEVER_TRAINED_STATUSES:
            raise OperationError(f"the import of {model.arn} ended in {status}: {properties.get('Message') or 'no message'}",
                                 model_arn=model.arn, status=status, polls=polls)
        pause = next(waits, None)
        if pause is None:
            raise OperationError(f"{model.arn} was still {status} after {timeout:.0f} seconds; raise wait_timeout or "
                                 "run again later (the import goes on)", model_arn=model.arn, status=status, polls=polls)
        sleep(pause)


@dataclass(frozen=True)
class TagChange:
    """The copy's tags before and after a run; both None when the task leaves tags alone (no tags option)."""

    before: Optional[Dict[str, str]] = None
    after: Optional[Dict[str, str]] = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def reconcile_tags(comprehend: Any, arn: str, request: ImportRequest, check_mode: bool) -> TagChange:
    """Make the copy's tags those of the request (ListTagsForResource, then UntagResource and TagResource as needed),
    keeping other tags when purge_tags is false and AWS's own aws: tags always (compare_aws_tags)."""
    if request.tags is None:
        return TagChange()
    listed = comprehend.list_tags_for_resource(aws_retry=True, ResourceArn=arn).get("Tags", [])
    current = boto3_tag_list_to_ansible_dict(listed)
    to_set, to_unset = compare_aws_tags(current, request.tags, purge_tags=request.purge_tags)
    after = {key: value for key, value in current.items() if key not in to_unset}
    after.update(to_set)
    if not check_mode:
        if to_unset:
            comprehend.untag_resource(aws_retry=True, ResourceArn=arn, TagKeys=to_unset)
        if to_set:
            comprehend.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))
    return TagChange(current, after)


def _result(arn: Optional[str], properties: Optional[Dict[str, Any]], request: ImportRequest, tags: TagChange,
            created: bool, diff: bool) -> Dict[str, Any]:
    result = {
        "changed": created or tags.changed,
        "model_arn": arn,
        "status": (properties or {}).get("Status"),
        "source_model_arn": request.source.arn,
        "polls": (properties or {}).get("Polls", []),
    }
    if tags.after is not None:
        result["tags"] = tags.after
    if diff:
        after = {"model_arn": arn, "source_model_arn": request.source.arn}
        before = dict(after)
        if tags.after is not None:
            before["tags"], after["tags"] = tags.before, tags.after
        result["diff"] = {"before": {} if created else before, "after": after}
    return result


def import_model(comprehend: Any, sts: Any, iam: Any, request: ImportRequest, wait: bool, wait_timeout: float,
                 poll_delay: float = MAX_POLL_DELAY, retry_timeout: float = 0, check_mode: bool = False,
                 diff: bool = False) -> Dict[str, Any]:
    """Import once: an existing copy of the same source is success without an import, its tags reconciled; of another
    source, a failure."""
    account = caller_account(sts)
    check_own_key_account(request, account)
    arn, existing = find_copy(comprehend, request, account)
    if existing is not None:
        if existing.get("SourceModelArn") != request.source.arn:
            raise OperationError(
                f"{arn} already exists and was not imported from {request.source.arn} "
                f"(its source is {existing.get('SourceModelArn') or 'none: it was trained here'}); choose another "
                "model_name or version_name", model_arn=arn)
        if wait and not check_mode and existing.get("Status") not in TRAINED_STATUSES:
            existing = wait_until_trained(comprehend, parse_model_arn(arn, option="model_arn"), wait_timeout, poll_delay)
        # After the wait, so that a copy that never trains fails the task before any write.
        return _result(arn, existing, request, reconcile_tags(comprehend, arn, request, check_mode), False, diff)
    # ImportModel tags a new copy itself.
    created_tags = TagChange({}, request.tags) if request.tags is not None else TagChange()
    if check_mode:
        return _result(arn, None, request, created_tags, True, diff)
    arn = start_import(comprehend, iam, request, account, retry_timeout)
    model = parse_model_arn(arn, option="model_arn")
    properties = wait_until_trained(comprehend, model, wait_timeout, poll_delay) if wait else describe_model(comprehend, model)
    return _result(arn, properties, request, created_tags, True, diff)
