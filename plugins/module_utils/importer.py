# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""comprehend_import_model's AWS side: find an earlier copy, call ImportModel, wait for training."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional

try:
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.seed.comprehend.plugins.module_utils.arns import ModelArn
from ansible_collections.seed.comprehend.plugins.module_utils.arns import parse_model_arn
from ansible_collections.seed.comprehend.plugins.module_utils.aws import error_code
from ansible_collections.seed.comprehend.plugins.module_utils.comprehend import describe_model
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils.import_request import ImportRequest
from ansible_collections.seed.comprehend.plugins.module_utils.import_request import refusal_message
from ansible_collections.seed.comprehend.plugins.module_utils.model_info import TRAINED_STATUSES

FIRST_POLL_DELAY = 1.0
MAX_POLL_DELAY = 30.0


def caller_account(sts: Any) -> str:
    return sts.get_caller_identity(aws_retry=True)["Account"]


def find_copy(comprehend: Any, target: ModelArn) -> Optional[Dict[str, Any]]:
    """The properties of the model already at the copy's ARN, None if there is none."""
    try:
        return describe_model(comprehend, target)
    except OperationError:
        return None


def start_import(comprehend: Any, request: ImportRequest, account: str) -> str:
    try:
        return comprehend.import_model(aws_retry=True, **request.parameters)["ModelArn"]
    except ClientError as error:
        message = refusal_message(error_code(error), error.response.get("Error", {}).get("Message", ""), request, account)
        if message:
            raise OperationError(message, source_model_arn=request.source.arn, error_code=error_code(error)) from None
        raise


def wait_until_trained(comprehend: Any, model: ModelArn, timeout: float, sleep: Callable[[float], None] = time.sleep,
                       clock: Callable[[], float] = time.monotonic) -> Dict[str, Any]:
    """Poll with growing delays until TRAINED / TRAINED_WITH_WARNING; IN_ERROR fails with the model's message."""
    deadline = clock() + timeout
    delay = FIRST_POLL_DELAY
    polls: List[str] = []
    while True:
        properties = describe_model(comprehend, model)
        status = properties.get("Status")
        polls.append(status)
        if status in TRAINED_STATUSES:
            return dict(properties, Polls=polls)
        if status in ("IN_ERROR", "STOPPED", "DELETING"):
            raise OperationError(f"the import of {model.arn} ended in {status}: {properties.get('Message') or 'no message'}",
                                 model_arn=model.arn, status=status, polls=polls)
        if clock() + delay > deadline:
            raise OperationError(f"{model.arn} was still {status} after {timeout:.0f} seconds; raise wait_timeout or "
                                 "run again later (the import goes on)", model_arn=model.arn, status=status, polls=polls)
        sleep(delay)
        delay = min(delay * 2, MAX_POLL_DELAY)


def _result(changed: bool, arn: str, properties: Optional[Dict[str, Any]], request: ImportRequest,
            diff: bool) -> Dict[str, Any]:
    result = {
        "changed": changed,
        "model_arn": arn,
        "status": (properties or {}).get("Status"),
        "source_model_arn": request.source.arn,
        "polls": (properties or {}).get("Polls", []),
    }
    if diff:
        after = {"model_arn": arn, "source_model_arn": request.source.arn}
        result["diff"] = {"before": after if not changed else {}, "after": after}
    return result


def import_model(comprehend: Any, sts: Any, request: ImportRequest, wait: bool, wait_timeout: float,
                 check_mode: bool = False, diff: bool = False) -> Dict[str, Any]:
    """Import once: an existing copy of the same source is success without a write; of another source, a failure."""
    account = caller_account(sts)
    target = parse_model_arn(request.target_arn(account), option="model_name")
    existing = find_copy(comprehend, target)
    if existing is not None:
        if existing.get("SourceModelArn") != request.source.arn:
            raise OperationError(
                f"{target.arn} already exists and was not imported from {request.source.arn} "
                f"(its source is {existing.get('SourceModelArn') or 'none: it was trained here'}); choose another "
                "model_name or version_name", model_arn=target.arn)
        if wait and not check_mode and existing.get("Status") not in TRAINED_STATUSES:
            existing = wait_until_trained(comprehend, target, wait_timeout)
        return _result(False, target.arn, existing, request, diff)
    if check_mode:
        return _result(True, target.arn, None, request, diff)
    arn = start_import(comprehend, request, account)
    model = parse_model_arn(arn, option="model_arn")
    properties = wait_until_trained(comprehend, model, wait_timeout) if wait else describe_model(comprehend, model)
    return _result(True, arn, properties, request, diff)
