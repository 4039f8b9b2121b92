"""Behaviour 1: Comprehend custom models (document classifiers and entity recognizers)."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict

import pytest
from botocore.exceptions import ClientError

from emulator.client import EmulatorClient, EmulatorError
from emulator.testing import DEFAULT_ACCOUNT, REGION, Aws, error_code, import_policy

CLASSIFIER_PREFIX = f"arn:aws:comprehend:{REGION}:{DEFAULT_ACCOUNT}:document-classifier"
RECOGNIZER_PREFIX = f"arn:aws:comprehend:{REGION}:{DEFAULT_ACCOUNT}:entity-recognizer"


def describe_classifier(comprehend: Any, arn: str) -> Dict[str, Any]:
    return comprehend.describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"]


def describe_recognizer(comprehend: Any, arn: str) -> Dict[str, Any]:
    return comprehend.describe_entity_recognizer(EntityRecognizerArn=arn)["EntityRecognizerProperties"]


def test_classifier_arns_and_version_name(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    versioned = aws.create_classifier(name="news", version="v-2", trained=False)
    unversioned = aws.create_classifier(name="news", version=None, trained=False)
    assert versioned == f"{CLASSIFIER_PREFIX}/news/version/v-2"
    assert unversioned == f"{CLASSIFIER_PREFIX}/news"
    assert describe_classifier(comprehend, versioned)["VersionName"] == "v-2"
    assert "VersionName" not in describe_classifier(comprehend, unversioned)


def test_recognizer_arns_and_version_name(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    versioned = aws.create_recognizer(name="people", version="v1", trained=False)
    assert versioned == f"{RECOGNIZER_PREFIX}/people/version/v1"
    assert aws.create_recognizer(name="people", version=None, trained=False) == f"{RECOGNIZER_PREFIX}/people"
    assert describe_recognizer(comprehend, versioned)["VersionName"] == "v1"


def test_keys_and_role_are_kept(aws: Aws) -> None:
    kms = aws.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    volume_key = kms.create_key()["KeyMetadata"]["KeyId"]
    role = "arn:aws:iam::123456789012:role/data"
    arn = aws.create_classifier(ModelKmsKeyId=key_arn, VolumeKmsKeyId=volume_key, DataAccessRoleArn=role, trained=False)
    properties = describe_classifier(aws.client("comprehend"), arn)
    assert (properties["ModelKmsKeyId"], properties["VolumeKmsKeyId"], properties["DataAccessRoleArn"]) == (key_arn, volume_key, role)
    assert properties["LanguageCode"] == "en" and properties["Mode"] == "MULTI_CLASS"


def test_fields_never_given_are_absent(aws: Aws) -> None:
    properties = describe_classifier(aws.client("comprehend"), aws.create_classifier(trained=False))
    assert not {"ModelKmsKeyId", "VolumeKmsKeyId", "SourceModelArn", "Message", "EndTime"} & set(properties)


def test_an_unknown_model_kms_key_is_refused(aws: Aws) -> None:
    with pytest.raises(ClientError) as error:
        aws.create_classifier(ModelKmsKeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    assert error_code(error) == "KmsKeyValidationException"


def test_model_policy_becomes_the_resource_policy(aws: Aws) -> None:
    policy = import_policy("444455556666")
    for arn in (aws.create_classifier(ModelPolicy=policy), aws.create_recognizer(ModelPolicy=policy)):
        described = aws.client("comprehend").describe_resource_policy(ResourceArn=arn)
        assert described["ResourcePolicy"] == policy
        assert len(described["PolicyRevisionId"]) == 32


def test_an_invalid_model_policy_is_refused(aws: Aws) -> None:
    with pytest.raises(ClientError) as error:
        aws.create_classifier(ModelPolicy="not json")
    assert error_code(error) == "InvalidRequestException"


@pytest.mark.parametrize("kind", ["classifier", "recognizer"])
def test_an_existing_name_and_version_is_in_use(aws: Aws, kind: str) -> None:
    aws.create_model(kind, name="dup", version="v1")
    aws.create_model(kind, name="dup", version="v2")
    aws.create_model(kind, name="dup", version=None)
    with pytest.raises(ClientError) as error:
        aws.create_model(kind, name="dup", version="v1")
    assert error_code(error) == "ResourceInUseException"


@pytest.mark.parametrize("name, version", [("under_score", "v1"), ("ok", "v_1"), ("-dash", "v1"), ("x" * 64, "v1")])
def test_names_follow_the_aws_pattern(aws: Aws, name: str, version: str) -> None:
    with pytest.raises(ClientError) as error:
        aws.create_classifier(name=name, version=version)
    assert error_code(error) == "ValidationException"


@pytest.mark.parametrize("kind, describe", [("classifier", describe_classifier), ("recognizer", describe_recognizer)])
def test_training_progresses_one_step_per_describe(aws: Aws, kind: str, describe: Callable[[Any, str], Dict[str, Any]]) -> None:
    comprehend = aws.client("comprehend")
    arn = aws.create_model(kind, trained=False)
    statuses = [describe(comprehend, arn)["Status"] for _step in range(4)]
    assert statuses == ["SUBMITTED", "TRAINING", "TRAINED", "TRAINED"]
    assert "EndTime" in describe(comprehend, arn)


def test_the_control_api_pins_a_status(aws: Aws, control: EmulatorClient) -> None:
    comprehend = aws.client("comprehend")
    arn = aws.create_classifier(trained=False)
    pinned = control.set_model_status(arn, "IN_ERROR", "bad training data")
    assert (pinned["Status"], pinned["Message"]) == ("IN_ERROR", "bad training data")
    for _step in range(3):
        assert describe_classifier(comprehend, arn)["Status"] == "IN_ERROR"
    control.set_model_status(arn, "TRAINING")
    assert [describe_classifier(comprehend, arn)["Status"] for _step in range(2)] == ["TRAINING", "TRAINING"]


def test_model_status_control_errors(aws: Aws, control: EmulatorClient) -> None:
    arn = aws.create_classifier()
    with pytest.raises(EmulatorError) as unknown_status:
        control.set_model_status(arn, "IMPORTING")
    with pytest.raises(EmulatorError) as missing:
        control.set_model_status(arn + "x", "TRAINED")
    with pytest.raises(EmulatorError) as garbage:
        control.set_model_status("garbage", "TRAINED")
    assert (unknown_status.value.status, missing.value.status, garbage.value.status) == (400, 404, 400)


def test_list_filters_and_pagination(aws: Aws, control: EmulatorClient) -> None:
    comprehend = aws.client("comprehend")
    first = aws.create_classifier(name="alpha", version="v1")
    time.sleep(0.01)
    middle = time.time()
    second = aws.create_classifier(name="alpha", version="v2", trained=False)
    third = aws.create_classifier(name="beta", version="v1", trained=False)

    def listed(**kwargs: Any) -> list:
        return [p["DocumentClassifierArn"] for p in comprehend.list_document_classifiers(**kwargs)["DocumentClassifierPropertiesList"]]

    assert listed() == [first, second, third]
    assert listed(Filter={"DocumentClassifierName": "alpha"}) == [first, second]
    assert listed(Filter={"Status": "TRAINED"}) == [first]
    assert listed(Filter={"DocumentClassifierName": "alpha", "Status": "SUBMITTED"}) == [second]
    assert listed(Filter={"SubmitTimeAfter": middle}) == [second, third]
    assert listed(Filter={"SubmitTimeBefore": middle}) == [first]
    pages = comprehend.get_paginator("list_document_classifiers").paginate(PaginationConfig={"PageSize": 2})
    assert [len(page["DocumentClassifierPropertiesList"]) for page in pages] == [2, 1]

    recognizer = aws.create_recognizer(name="people")
    recognizers = comprehend.list_entity_recognizers(Filter={"RecognizerName": "people", "Status": "TRAINED"})["EntityRecognizerPropertiesList"]
    assert [p["EntityRecognizerArn"] for p in recognizers] == [recognizer]


LISTS = {"classifier": ("list_document_classifiers", "DocumentClassifierPropertiesList", "DocumentClassifierArn"),
         "recognizer": ("list_entity_recognizers", "EntityRecognizerPropertiesList", "EntityRecognizerArn")}


@pytest.mark.parametrize("kind", ["classifier", "recognizer"])
def test_list_pages_like_aws(aws: Aws, kind: str) -> None:
    """botocore's comprehend service model: MaxResults 1..500, "The default is 100"; paginators-1.json: NextToken in
    and out. The emulator's token is opaque (its format is invented) and the last page has none."""
    comprehend = aws.client("comprehend")
    method, list_key, arn_key = LISTS[kind]
    created = [aws.create_model(kind, name=f"m{index}", trained=False) for index in range(103)]

    first = getattr(comprehend, method)()
    assert len(first[list_key]) == 100 and first["NextToken"] and not first["NextToken"].isdigit()
    second = getattr(comprehend, method)(NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [item[arn_key] for item in first[list_key] + second[list_key]] == created

    pages = list(comprehend.get_paginator(method).paginate(PaginationConfig={"PageSize": 40}))
    assert [len(page[list_key]) for page in pages] == [40, 40, 23]
    assert [item[arn_key] for page in pages for item in page[list_key]] == created
    assert len(getattr(comprehend, method)(MaxResults=500)[list_key]) == 103


@pytest.mark.parametrize("kind", ["classifier", "recognizer"])
def test_list_bad_page_size_and_token_are_refused(aws: Aws, kind: str) -> None:
    comprehend = aws.client("comprehend", parameter_validation=False)  # botocore would refuse MaxResults 0 itself
    method, other_kind = LISTS[kind][0], "recognizer" if kind == "classifier" else "classifier"
    for index in range(3):
        aws.create_model(kind, name=f"m{index}", trained=False)
        aws.create_model(other_kind, name=f"m{index}", trained=False)
    for size in (0, 501):
        with pytest.raises(ClientError) as error:
            getattr(comprehend, method)(MaxResults=size)
        assert error_code(error) == "ValidationException"
    other_token = getattr(comprehend, LISTS[other_kind][0])(MaxResults=1)["NextToken"]
    for token in ("garbage", "1", other_token):
        with pytest.raises(ClientError) as error:
            getattr(comprehend, method)(NextToken=token)
        assert error_code(error) == "InvalidRequestException"


def test_a_model_deleted_between_pages_hides_no_other(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    arns = [aws.create_classifier(name=f"m{index}", trained=False) for index in range(4)]
    first = comprehend.list_document_classifiers(MaxResults=2)
    comprehend.delete_document_classifier(DocumentClassifierArn=arns[1])
    rest = comprehend.list_document_classifiers(MaxResults=2, NextToken=first["NextToken"])
    assert [item["DocumentClassifierArn"] for item in first["DocumentClassifierPropertiesList"]] == arns[:2]
    assert [item["DocumentClassifierArn"] for item in rest["DocumentClassifierPropertiesList"]] == arns[2:]
    assert "NextToken" not in rest


def test_stop_training(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    arn = aws.create_classifier(trained=False)
    comprehend.stop_training_document_classifier(DocumentClassifierArn=arn)
    assert [describe_classifier(comprehend, arn)["Status"] for _step in range(3)] == ["STOP_REQUESTED", "STOPPED", "STOPPED"]
    recognizer = aws.create_recognizer(trained=False)
    comprehend.stop_training_entity_recognizer(EntityRecognizerArn=recognizer)
    assert describe_recognizer(comprehend, recognizer)["Status"] == "STOP_REQUESTED"


def test_delete(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    classifier = aws.create_classifier(ModelPolicy=import_policy("444455556666"))
    recognizer = aws.create_recognizer()
    comprehend.delete_document_classifier(DocumentClassifierArn=classifier)
    comprehend.delete_entity_recognizer(EntityRecognizerArn=recognizer)
    for call in (
        lambda: comprehend.describe_document_classifier(DocumentClassifierArn=classifier),
        lambda: comprehend.describe_entity_recognizer(EntityRecognizerArn=recognizer),
        lambda: comprehend.describe_resource_policy(ResourceArn=classifier),
        lambda: comprehend.delete_document_classifier(DocumentClassifierArn=classifier),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error_code(error) == "ResourceNotFoundException"
    assert comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"] == []


def tag_dict(comprehend: Any, arn: str) -> Dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in comprehend.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_model_tags_are_added_changed_and_removed(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    arn = aws.create_classifier(name="tagged", version="v1", trained=False, Tags=[{"Key": "team", "Value": "a"}])
    assert tag_dict(comprehend, arn) == {"team": "a"}
    comprehend.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "prod"}])
    comprehend.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert tag_dict(comprehend, arn) == {"team": "b"}


def test_tags_of_a_model_that_does_not_exist_are_not_found(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    missing = f"{CLASSIFIER_PREFIX}/nothing/version/v1"
    calls: Dict[str, Callable[[], Any]] = {
        "list": lambda: comprehend.list_tags_for_resource(ResourceArn=missing),
        "tag": lambda: comprehend.tag_resource(ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}]),
        "untag": lambda: comprehend.untag_resource(ResourceArn=missing, TagKeys=["k"]),
    }
    for call in calls.values():
        with pytest.raises(ClientError) as raised:
            call()
        assert error_code(raised.value) == "ResourceNotFoundException"


def test_a_model_holds_at_most_50_tags(aws: Aws) -> None:
    comprehend = aws.client("comprehend")
    arn = aws.create_classifier(name="many", version="v1", trained=False, Tags=[{"Key": f"k{index}", "Value": ""} for index in range(50)])
    comprehend.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "changed"}])  # an existing key: still 50
    with pytest.raises(ClientError) as raised:
        comprehend.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": ""}])
    assert error_code(raised.value) == "TooManyTagsException"
    with pytest.raises(ClientError) as raised:
        comprehend.untag_resource(ResourceArn=arn, TagKeys=[f"k{index}" for index in range(51)])
    assert error_code(raised.value) == "TooManyTagKeysException"
