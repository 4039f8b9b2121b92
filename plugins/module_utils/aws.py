# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares around AWS calls: retries, error codes, the run wrapper."""

from __future__ import annotations

from typing import Any, Callable, Dict

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore itself

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError

# amazon.aws's default list misses the codes Comprehend and KMS use for throttling and internal errors.
RETRYABLE_ERROR_CODES = [
    "ThrottlingException",
    "TooManyRequestsException",
    "InternalServerException",
    "KMSInternalException",
    "DependencyTimeoutException",
]

aws_retry = AWSRetry.jittered_backoff(retries=10, delay=1, backoff=2.0, max_delay=16,
                                      catch_extra_error_codes=RETRYABLE_ERROR_CODES)


def retrying_client(module: Any, service: str, **extra_params: Any) -> Any:
    """A boto3 client whose calls retry with jittered backoff when passed aws_retry=True.

    extra_params go to boto3_conn, e.g. region=... to reach the region an ARN names.
    """
    return module.client(service, retry_decorator=aws_retry, **extra_params)


def error_code(exception: BaseException) -> str:
    """The AWS error code of a ClientError, '' for anything else."""
    response = getattr(exception, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def run_module(module: Any, action: Callable[[], Dict[str, Any]]) -> None:
    """Run a module's work and turn every failure into a clear fail_json, never a traceback."""
    try:
        result = action()
    except InvalidInputError as error:
        module.fail_json(msg=str(error))
    except OperationError as error:
        module.fail_json(msg=str(error), **error.details)
    except ClientError as error:
        module.fail_json_aws(error, msg=f"AWS call failed ({error_code(error) or type(error).__name__})")
    except BotoCoreError as error:
        # No answer from AWS (connection refused, timeout...), possibly between a read and a write.
        module.fail_json_aws(error, msg=f"AWS call failed ({type(error).__name__}); run again once AWS answers: "
                                        "the module reads the current state again and converges from there")
    module.exit_json(**result)
