"""Server-side input validation against botocore's models: AWS's ValidationException, never an HTTP 500."""

from __future__ import annotations

from typing import Any, Callable, Dict

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings, strategies as st

from emulator._validation import python_pattern
from emulator.testing import OWNER, REGION, STATIC_CREDENTIALS, Aws, error_code

BAD_REGION_ARNS = [
    f"arn:aws:comprehend::{OWNER}:document-classifier/x",
    f"arn:aws:comprehend:US-WEST-2:{OWNER}:document-classifier/x",
]


def unvalidated(aws: Aws, service: str) -> Any:
    """A client that sends whatever it is given: botocore's own parameter validation off."""
    config = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    return boto3.client(service, region_name=REGION, endpoint_url=aws.endpoint_url, config=config, **STATIC_CREDENTIALS)


@pytest.mark.parametrize("java, matching, not_matching", [
    (r"^\p{ASCII}+$", "plain", "caf\u00e9"),
    (r"^\P{C}*$", "caf\u00e9 ok", "a\x00b"),
    (r"^([\p{L}\p{Z}\p{N}_.:/=+\-%@]*)$", "caf\u00e9 42", "tab\there"),
    (r"[0-9A-Fa-f]+", "zz0zz", "zzz"),  # Smithy patterns aren't anchored
])
def test_java_patterns_are_translated(java: str, matching: str, not_matching: str) -> None:
    assert python_pattern(java).search(matching) and not python_pattern(java).search(not_matching)


@pytest.mark.parametrize("arn", BAD_REGION_ARNS)
@pytest.mark.parametrize("call", [
    lambda c, arn: c.describe_document_classifier(DocumentClassifierArn=arn),
    lambda c, arn: c.put_resource_policy(ResourceArn=arn, ResourcePolicy="{}"),
    lambda c, arn: c.describe_resource_policy(ResourceArn=arn),
    lambda c, arn: c.delete_resource_policy(ResourceArn=arn),
    lambda c, arn: c.import_model(SourceModelArn=arn),
])
def test_model_arns_with_an_empty_or_upper_case_region_are_invalid(aws: Aws, arn: str, call: Callable[[Any, str], Any]) -> None:
    with pytest.raises(ClientError) as error:
        call(aws.client("comprehend"), arn)
    assert error_code(error) == "ValidationException"


def test_aws_message_shape_with_every_error(aws: Aws) -> None:
    with pytest.raises(ClientError) as error:
        unvalidated(aws, "comprehend").import_model(SourceModelArn="x" * 3, ModelName="bad_name")
    assert error.value.response["Error"]["Message"] == (
        "2 validation errors detected: Value 'xxx' at 'sourceModelArn' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: arn:aws(-[^:]+)?:comprehend:[a-zA-Z0-9-]*:[0-9]{12}:(document-classifier|entity-recognizer)/"
        "[a-zA-Z0-9](-*[a-zA-Z0-9])*(/version/[a-zA-Z0-9](-*[a-zA-Z0-9])*)?; Value 'bad_name' at 'modelName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
    )
    with pytest.raises(ClientError) as error:
        unvalidated(aws, "kms").put_key_policy(KeyId=None, Policy="{}")
    assert error.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
    )


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=30), st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.sampled_from(BAD_REGION_ARNS + [f"arn:aws:comprehend:xx-nowhere-9:{OWNER}:document-classifier/x", "arn:aws:kms::1:key/x",
                                       f"arn:aws:kms:US-WEST-2:{OWNER}:key/x", f"arn:aws:kms:xx-nowhere-9:{OWNER}:key/x", "alias/aws/comprehend"]),
)
COMPREHEND = {
    "describe_document_classifier": ["DocumentClassifierArn"], "describe_entity_recognizer": ["EntityRecognizerArn"],
    "put_resource_policy": ["ResourceArn", "ResourcePolicy", "PolicyRevisionId"], "describe_resource_policy": ["ResourceArn"],
    "delete_resource_policy": ["ResourceArn", "PolicyRevisionId"],
    "import_model": ["SourceModelArn", "ModelName", "VersionName", "ModelKmsKeyId", "DataAccessRoleArn", "Tags"],
    "list_document_classifiers": ["Filter", "MaxResults", "NextToken"], "list_tags_for_resource": ["ResourceArn"],
}
KMS = {
    "describe_key": ["KeyId"], "get_key_policy": ["KeyId", "PolicyName"], "put_key_policy": ["KeyId", "Policy", "PolicyName"],
    "create_grant": ["KeyId", "GranteePrincipal", "Operations"], "create_key": ["Policy", "KeyUsage"],
}
REQUESTS = st.one_of(*[
    st.tuples(st.just(service), st.just(operation), st.fixed_dictionaries({}, optional={name: JUNK for name in names}))
    for service, operations in (("comprehend", COMPREHEND), ("kms", KMS)) for operation, names in operations.items()
])


def test_bad_requests_never_get_a_500(aws: Aws) -> None:
    clients: Dict[str, Any] = {service: unvalidated(aws, service) for service in ("comprehend", "kms")}
    statuses = []

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(REQUESTS)
    def send(request: Any) -> None:
        service, operation, params = request
        try:
            getattr(clients[service], operation)(**params)
            statuses.append(200)
        except (TypeError, AttributeError, KeyError):
            pass  # botocore's serializer itself can't send this (a null list...): no request reached the emulator
        except ClientError as error:
            statuses.append(error.response["ResponseMetadata"]["HTTPStatusCode"])
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] < 500, (operation, params, error.response["Error"])

    send()
    assert len(statuses) >= 150  # requests actually sent
