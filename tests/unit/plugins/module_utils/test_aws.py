"""run_module turns every failure into a fail_json whose message says what happened and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError, PartialCredentialsError

from ansible_collections.seed.comprehend.plugins.module_utils.aws import run_module
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError


class Ended(Exception):
    pass


class RecordingModule:
    """Stands in for AnsibleAWSModule: records how the run ended instead of exiting the process."""

    def __init__(self):
        self.ending = None

    def fail_json(self, **kwargs):
        self.ending = ("fail", kwargs)
        raise Ended()

    def fail_json_aws(self, error, msg):
        self.ending = ("fail_aws", {"msg": msg, "error": error})
        raise Ended()

    def exit_json(self, **kwargs):
        self.ending = ("exit", kwargs)
        raise Ended()


def ended(action):
    module = RecordingModule()
    with pytest.raises(Ended):
        run_module(module, action)
    return module.ending


def raising(error):
    def action():
        raise error
    return action


def test_success_exits_with_the_result():
    assert ended(lambda: {"changed": False}) == ("exit", {"changed": False})


def test_input_and_operation_errors_fail_with_their_message_and_details():
    assert ended(raising(InvalidInputError("principals: bad"))) == ("fail", {"msg": "principals: bad"})
    assert ended(raising(OperationError("key busy", key_arn="arn"))) == ("fail", {"msg": "key busy", "key_arn": "arn"})


def test_an_aws_error_is_named_by_its_code():
    error = ClientError({"Error": {"Code": "ResourceLimitExceededException", "Message": "no"}}, "PutResourcePolicy")
    kind, details = ended(raising(error))
    assert (kind, details["msg"], details["error"]) == ("fail_aws", "AWS call failed (ResourceLimitExceededException)", error)


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied", "NotAuthorized", "UnauthorizedOperation"])
def test_access_denied_names_the_operation_and_the_policies(code):
    kind, details = ended(raising(ClientError({"Error": {"Code": code, "Message": "no"}}, "PutKeyPolicy")))
    assert kind == "fail_aws"
    assert details["msg"].startswith(f"AWS denied PutKeyPolicy ({code}): the identity running the task lacks that permission")
    assert "docs/iam" in details["msg"]


@pytest.mark.parametrize("code", ["ExpiredTokenException", "ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"])
def test_refused_credentials_say_to_refresh_them_not_to_wait(code):
    kind, details = ended(raising(ClientError({"Error": {"Code": code, "Message": "no"}}, "DescribeKey")))
    assert kind == "fail_aws"
    assert details["msg"].startswith(f"AWS refused the credentials ({code}): they have expired or are not valid")
    assert "run again once AWS answers" not in details["msg"]


@pytest.mark.parametrize("error", [NoCredentialsError(), PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY")])
def test_missing_credentials_say_where_to_give_them(error):
    kind, details = ended(raising(error))
    assert kind == "fail_aws"
    assert details["msg"].startswith("no usable AWS credentials were found")
    assert "access_key" in details["msg"] and "run again once AWS answers" not in details["msg"]


def test_a_missing_region_says_where_to_set_it():
    kind, details = ended(raising(NoRegionError()))
    assert kind == "fail_aws" and details["msg"].startswith("no AWS region was given: set the region option")


def test_no_answer_from_aws_says_to_run_again():
    kind, details = ended(raising(EndpointConnectionError(endpoint_url="https://comprehend.us-west-2.amazonaws.com")))
    assert kind == "fail_aws"
    assert details["msg"].startswith("AWS call failed (EndpointConnectionError); run again once AWS answers")
