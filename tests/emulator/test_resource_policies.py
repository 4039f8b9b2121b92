"""Behaviour 2: resource-based policies of Comprehend models."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError

from emulator.client import EmulatorClient
from emulator.testing import IMPORTER, OWNER, REGION, STRANGER, Aws, error_code, import_policy

POLICY = import_policy(IMPORTER)
OTHER_POLICY = import_policy(IMPORTER, STRANGER)
HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def comprehend(aws: Aws) -> Any:
    return aws.client("comprehend")


@pytest.fixture
def model(aws: Aws) -> str:
    return aws.create_classifier()


def assert_error(code: str, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientError) as error:
        call()
    assert error_code(error) == code


def test_put_and_describe(comprehend: Any, model: str) -> None:
    revision = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY)["PolicyRevisionId"]
    described = comprehend.describe_resource_policy(ResourceArn=model)
    assert HEX32.match(revision)
    assert (described["ResourcePolicy"], described["PolicyRevisionId"]) == (POLICY, revision)
    assert described["CreationTime"] == described["LastModifiedTime"]


def test_every_write_changes_the_revision(comprehend: Any, model: str) -> None:
    first = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY)["PolicyRevisionId"]
    created = comprehend.describe_resource_policy(ResourceArn=model)["CreationTime"]
    second = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY, PolicyRevisionId=first)["PolicyRevisionId"]
    third = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=OTHER_POLICY)["PolicyRevisionId"]  # no revision: overwrite
    described = comprehend.describe_resource_policy(ResourceArn=model)
    assert len({first, second, third}) == 3 and all(HEX32.match(revision) for revision in (first, second, third))
    assert (described["ResourcePolicy"], described["PolicyRevisionId"], described["CreationTime"]) == (OTHER_POLICY, third, created)
    assert described["LastModifiedTime"] >= created


def test_a_stale_revision_is_refused(comprehend: Any, model: str) -> None:
    first = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY)["PolicyRevisionId"]
    current = comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=OTHER_POLICY)["PolicyRevisionId"]
    assert_error("InvalidRequestException", lambda: comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY, PolicyRevisionId=first))
    assert_error("InvalidRequestException", lambda: comprehend.delete_resource_policy(ResourceArn=model, PolicyRevisionId=first))
    assert comprehend.describe_resource_policy(ResourceArn=model)["PolicyRevisionId"] == current
    comprehend.delete_resource_policy(ResourceArn=model, PolicyRevisionId=current)
    assert_error("ResourceNotFoundException", lambda: comprehend.describe_resource_policy(ResourceArn=model))


def test_a_revision_without_a_policy_is_refused(comprehend: Any, model: str) -> None:
    with pytest.raises(ClientError) as error:
        comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY, PolicyRevisionId="0" * 32)
    assert error_code(error) == "InvalidRequestException"
    assert "stale" in error.value.response["Error"]["Message"]


def test_delete_without_revision(comprehend: Any, model: str) -> None:
    comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY)
    comprehend.delete_resource_policy(ResourceArn=model)
    assert_error("ResourceNotFoundException", lambda: comprehend.delete_resource_policy(ResourceArn=model))


@pytest.mark.parametrize("arn", [
    f"arn:aws:comprehend:{REGION}:123456789012:document-classifier/missing/version/v1",
    f"arn:aws:comprehend:{REGION}:123456789012:entity-recognizer/classifier/version/v1",  # right name, wrong type
    f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/classifier/version/v1",  # another account
    "arn:aws:comprehend:eu-west-1:123456789012:document-classifier/classifier/version/v1",  # another region
])
def test_a_model_that_does_not_exist_here_is_not_found(comprehend: Any, model: str, arn: str) -> None:
    assert_error("ResourceNotFoundException", lambda: comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=POLICY))
    assert_error("ResourceNotFoundException", lambda: comprehend.describe_resource_policy(ResourceArn=arn))
    assert_error("ResourceNotFoundException", lambda: comprehend.delete_resource_policy(ResourceArn=arn))


def test_another_accounts_model_is_not_found_even_with_its_arn(aws: Aws) -> None:
    owned = aws.create_classifier(OWNER, ModelPolicy=POLICY)
    assert_error("ResourceNotFoundException", lambda: aws.client("comprehend", IMPORTER).describe_resource_policy(ResourceArn=owned))
    assert aws.client("comprehend", OWNER).describe_resource_policy(ResourceArn=owned)["ResourcePolicy"] == POLICY


@pytest.mark.parametrize("arn", ["garbage", "arn:aws:comprehend:us-west-2:123456789012:endpoint/x", "arn:aws:comprehend:us-west-2:1234:document-classifier/x"])
def test_garbage_arns_are_invalid(comprehend: Any, arn: str) -> None:
    assert_error("ValidationException", lambda: comprehend.put_resource_policy(ResourceArn=arn, ResourcePolicy=POLICY))
    assert_error("ValidationException", lambda: comprehend.describe_resource_policy(ResourceArn=arn))


@pytest.mark.parametrize("text", ["not json", "{", "[1, 2]", '"text"'])
def test_policies_must_be_json_objects(comprehend: Any, model: str, text: str) -> None:
    assert_error("InvalidRequestException", lambda: comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=text))


def test_policy_length_and_characters_are_checked_by_the_server(aws: Aws, model: str) -> None:
    unchecked = aws.client("comprehend", parameter_validation=False)
    longest = json.dumps({"Version": "2012-10-17", "Statement": []}).ljust(20000)
    unchecked.put_resource_policy(ResourceArn=model, ResourcePolicy=longest)
    latin1 = json.dumps({"Version": "2012-10-17", "Statement": [], "Id": "caf\u00e9"}, ensure_ascii=False)
    unchecked.put_resource_policy(ResourceArn=model, ResourcePolicy=latin1)
    assert unchecked.describe_resource_policy(ResourceArn=model)["ResourcePolicy"] == latin1
    for text in ("", longest + " ", '{"Id": "\u20ac"}', '{"Id": "\x07"}'):
        assert_error("ValidationException", lambda text=text: unchecked.put_resource_policy(ResourceArn=model, ResourcePolicy=text))


def test_text_is_stored_as_given(comprehend: Any, model: str) -> None:
    spaced = '{\n  "Version": "2012-10-17",\n\t"Statement": [ ]\n}\r\n'
    comprehend.put_resource_policy(ResourceArn=model, ResourcePolicy=spaced)
    assert comprehend.describe_resource_policy(ResourceArn=model)["ResourcePolicy"] == spaced


def test_describe_without_policy(comprehend: Any, control: EmulatorClient, model: str) -> None:
    assert_error("ResourceNotFoundException", lambda: comprehend.describe_resource_policy(ResourceArn=model))
    assert control.set_options(missing_resource_policy="empty")["missing_resource_policy"] == "empty"
    described = comprehend.describe_resource_policy(ResourceArn=model)
    assert not {"ResourcePolicy", "PolicyRevisionId", "CreationTime", "LastModifiedTime"} & set(described)
    missing = model + "x"
    assert_error("ResourceNotFoundException", lambda: comprehend.describe_resource_policy(ResourceArn=missing))


def test_conditional_writes_naming_one_revision_have_one_winner(aws: Aws, model: str) -> None:
    """AWS checks the revision and stores the policy in one step: of writers racing with the same revision, exactly
    one succeeds. Without the emulator's lock, two passed the check in about one round in ten."""
    writers, rounds = 8, 30
    clients = [aws.client("comprehend") for _writer in range(writers)]
    revision = clients[0].put_resource_policy(ResourceArn=model, ResourcePolicy=POLICY)["PolicyRevisionId"]
    for _round in range(rounds):
        start = threading.Barrier(writers)

        def write(client: Any, base: str = revision, barrier: threading.Barrier = start) -> str:
            barrier.wait()
            try:
                return client.put_resource_policy(ResourceArn=model, ResourcePolicy=OTHER_POLICY, PolicyRevisionId=base)["PolicyRevisionId"]
            except ClientError as error:
                return error_code(error)

        with ThreadPoolExecutor(writers) as pool:
            outcomes = list(pool.map(write, clients))
        winners = [outcome for outcome in outcomes if HEX32.match(outcome)]
        assert len(winners) == 1 and outcomes.count("InvalidRequestException") == writers - 1, outcomes
        revision = winners[0]
