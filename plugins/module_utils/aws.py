# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares around AWS calls: retries, error codes, concurrent calls, the run wrapper."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

try:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, PartialCredentialsError
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

# The errors common to all AWS APIs (https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html and
# the services' CommonErrors pages) that mean credentials AWS no longer or never accepted, and a refused permission.
CREDENTIAL_ERROR_CODES = ("ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                          "UnrecognizedClientException", "IncompleteSignature", "MissingAuthenticationToken",
                          "InvalidSignatureException", "SignatureDoesNotMatch")
ACCESS_DENIED_CODES = ("AccessDenied", "AccessDeniedException", "NotAuthorized", "UnauthorizedOperation")
CONNECTION_OPTIONS = ("profile, access_key and secret_key (and session_token) as module options or in module_defaults of "
                      "group/seed.comprehend.aws, or the AWS_PROFILE / AWS_ACCESS_KEY_ID environment variables")

# Resources one task works on at once: each is its own resource, so they don't contend, and a pause after one
# resource's write overlaps the others' instead of adding up. Kept low for Comprehend's rate limits (throttling
# is retried anyway).
PARALLEL_CALLS = 4

Item = TypeVar("Item")

aws_retry = AWSRetry.jittered_backoff(retries=10, delay=1, backoff=2.0, max_delay=16,
                                      catch_extra_error_codes=RETRYABLE_ERROR_CODES)


def retrying_client(module: Any, service: str, **extra_params: Any) -> Any:
    """A boto3 client whose calls retry with jittered backoff when passed aws_retry=True.

    extra_params go to boto3_conn, e.g. region=... to reach the region an ARN names.
    """
    return module.client(service, retry_decorator=aws_retry, **extra_params)


def concurrently(function: Callable[[Item], Any], items: Sequence[Item]) -> List[Tuple[Any, Optional[BaseException]]]:
    """function(item) for every item, PARALLEL_CALLS at a time: (result, None) or (None, AWS error), in order."""
    def guarded(item: Item) -> Tuple[Any, Optional[BaseException]]:
        try:
            return function(item), None
        except (OperationError, ClientError, BotoCoreError) as error:
            return None, error

    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(PARALLEL_CALLS, len(items))) as pool:
        return list(pool.map(guarded, items))


def failure_message(error: BaseException) -> str:
    """One line on why a call in a batch failed."""
    if isinstance(error, ClientError):
        return f"AWS call failed ({error_code(error)}): {error_message(error)}"
    return str(error) if isinstance(error, OperationError) else f"AWS call failed ({type(error).__name__}): {error}"


def error_message(exception: BaseException) -> str:
    """The AWS error message of a ClientError, '' for anything else."""
    response = getattr(exception, "response", None) or {}
    return response.get("Error", {}).get("Message", "") or ""


def error_code(exception: BaseException) -> str:
    """The AWS error code of a ClientError, '' for anything else."""
    response = getattr(exception, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def client_error_message(error: BaseException) -> str:
    """What a refused AWS call means for the user, and what to do."""
    code = error_code(error) or type(error).__name__
    if code in CREDENTIAL_ERROR_CODES:
        return (f"AWS refused the credentials ({code}): they have expired or are not valid. Refresh them (a new session, "
                f"aws sso login, ...) and give them as {CONNECTION_OPTIONS}")
    if code in ACCESS_DENIED_CODES:
        operation = getattr(error, "operation_name", "") or "the call"
        return (f"AWS denied {operation} ({code}): the identity running the task lacks that permission. docs/iam holds "
                "the policies the collection's plays need; grant the permission, or run as an identity that has it")
    return f"AWS call failed ({code})"


def run_module(module: Any, action: Callable[[], Dict[str, Any]]) -> None:
    """Run a module's work and turn every failure into a clear fail_json, never a traceback."""
    try:
        result = action()
    except InvalidInputError as error:
        module.fail_json(msg=str(error))
    except OperationError as error:
        module.fail_json(msg=str(error), **error.details)
    except ClientError as error:
        module.fail_json_aws(error, msg=client_error_message(error))
    except (NoCredentialsError, PartialCredentialsError) as error:
        module.fail_json_aws(error, msg=f"no usable AWS credentials were found ({type(error).__name__}): give them as "
                                        f"{CONNECTION_OPTIONS}. Nothing was written")
    except NoRegionError as error:
        module.fail_json_aws(error, msg="no AWS region was given: set the region option (or in module_defaults of "
                                        "group/seed.comprehend.aws), or the AWS_REGION environment variable. Nothing was written")
    except BotoCoreError as error:
        # No answer from AWS (connection refused, timeout...), possibly between a read and a write.
        module.fail_json_aws(error, msg=f"AWS call failed ({type(error).__name__}); run again once AWS answers: "
                                        "the module reads the current state again and converges from there")
    module.exit_json(**result)
