"""Behaviour 6: fault injection."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest
from botocore.exceptions import ClientError

from emulator._faults import DEFAULT_ERRORS
from emulator.client import EmulatorClient, EmulatorError
from emulator.testing import Aws, error_code

TARGETS = ["comprehend:ListDocumentClassifiers", "kms:ListKeys", "sts:GetCallerIdentity", "iam:ListRoles"]


def outcome(call: Callable[[], Any]) -> Optional[str]:
    """None when the call succeeds, else its error code."""
    try:
        call()
    except ClientError as error:
        return error_code(error)
    return None


def target_calls(aws: Aws) -> Dict[str, Callable[[], Any]]:
    comprehend, kms, sts, iam = (aws.client(service) for service in ("comprehend", "kms", "sts", "iam"))
    return {
        "comprehend": comprehend.list_document_classifiers,
        "kms": kms.list_keys,
        "sts": sts.get_caller_identity,
        "iam": iam.list_roles,
    }


def test_rate_one_fails_the_targeted_operations_with_each_services_errors(aws: Aws, control: EmulatorClient) -> None:
    calls = target_calls(aws)
    control.set_faults(rate=1.0, seed=3, operations=TARGETS)
    for service, call in calls.items():
        codes = {outcome(call) for _attempt in range(8)}
        assert codes <= set(DEFAULT_ERRORS[service]), service
        assert len(codes) > 1, service  # the seeded draws pick among the service's codes
    assert outcome(aws.client("comprehend").list_entity_recognizers) is None
    assert outcome(aws.client("kms").create_key) is None
    log = control.calls()
    assert [entry["status"] >= 400 for entry in log] == [True] * 32 + [False, False]
    assert all(entry["fault"] in DEFAULT_ERRORS[entry["service"]] for entry in log[:32])
    assert {entry["status"] for entry in log if entry["fault"] in ("InternalServerException", "KMSInternalException", "ServiceFailure")} == {500}


def sequence(aws: Aws) -> List[Optional[str]]:
    comprehend = aws.client("comprehend")
    return [outcome(comprehend.list_document_classifiers) for _attempt in range(40)]


def test_a_seeded_rate_is_reproducible(aws: Aws, control: EmulatorClient) -> None:
    control.set_faults(rate=0.3, seed=7)
    first = sequence(aws)
    control.set_faults(rate=0.3, seed=7)
    assert sequence(aws) == first
    failures = sum(code is not None for code in first)
    assert 4 <= failures <= 24
    control.set_faults(rate=0.3, seed=8)
    assert sequence(aws) != first


def test_operation_patterns_and_chosen_errors(aws: Aws, control: EmulatorClient) -> None:
    calls = target_calls(aws)
    control.set_faults(rate=1, operations=["KMS:*", "sts:Get*"], errors={"kms": ["DependencyTimeoutException"]})
    assert outcome(calls["kms"]) == "DependencyTimeoutException"
    assert outcome(calls["sts"]) in DEFAULT_ERRORS["sts"]
    assert outcome(calls["comprehend"]) is None
    control.set_faults(rate=1, errors=["SlowDown"])
    assert {outcome(call) for call in calls.values()} == {"SlowDown"}


def test_faults_can_be_turned_off(aws: Aws, control: EmulatorClient) -> None:
    call = target_calls(aws)["comprehend"]
    control.set_faults(rate=1)
    assert outcome(call) is not None
    assert control.clear_faults()["rate"] == 0
    assert outcome(call) is None
    control.set_faults(rate=1)
    control.set_faults(rate=0)
    assert outcome(call) is None
    assert control.faults() == {"rate": 0.0, "seed": None, "operations": None, "errors": None}


@pytest.mark.parametrize("body", [{"rate": 2}, {"rate": "high"}, {"seed": "x"}, {"operations": "kms:*"}, {"errors": [1]}, {"oops": 1}])
def test_invalid_fault_settings(control: EmulatorClient, body: Dict[str, Any]) -> None:
    with pytest.raises(EmulatorError) as error:
        control.request("POST", "faults", body)
    assert error.value.status == 400


def test_faults_on_large_requests(aws: Aws, control: EmulatorClient) -> None:
    arn = aws.create_classifier()
    control.set_faults(rate=1, seed=1, operations=["comprehend:PutResourcePolicy"])
    large = '{"Version": "2012-10-17", "Statement": []}'.ljust(19000)
    comprehend = aws.client("comprehend")
    for _attempt in range(5):
        assert outcome(lambda: comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=large)) in DEFAULT_ERRORS["comprehend"]
