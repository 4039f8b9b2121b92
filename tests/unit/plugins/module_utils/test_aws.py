"""run_module turns every failure into a fail_json whose message says what happened and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

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
    error = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutKeyPolicy")
    kind, details = ended(raising(error))
    assert (kind, details["msg"], details["error"]) == ("fail_aws", "AWS call failed (AccessDeniedException)", error)


def test_no_answer_from_aws_says_to_run_again():
    kind, details = ended(raising(EndpointConnectionError(endpoint_url="https://comprehend.us-west-2.amazonaws.com")))
    assert kind == "fail_aws"
    assert details["msg"].startswith("AWS call failed (EndpointConnectionError); run again once AWS answers")
