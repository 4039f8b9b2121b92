"""Unit tests of the owner -> importer handoff (pure logic)."""

from __future__ import annotations

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import HANDOFF_SCHEMA_VERSION
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import build_handoff
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import check_handoff_entry
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import check_share_principals
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import plan_imports
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import share_key_principals
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import share_regions

CLASSIFIER = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
RECOGNIZER = "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people"
KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOTS = ["arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:root"]


def model(arn, key_type="aws_owned", key_arn=None):
    return {"arn": arn, "encryption": {"key_type": key_type, "kms_key_arn": key_arn}}


def test_customer_managed_entry_names_the_key_and_the_role_policy():
    [entry] = build_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666", "arn:aws:iam::123456789012:root"],
                            [ROOTS[1], ROOTS[0]])
    assert entry == {
        "schema_version": HANDOFF_SCHEMA_VERSION,
        "model_arn": CLASSIFIER,
        "model_type": "document_classifier",
        "region": "us-west-2",
        "source_account": "111122223333",
        "principals": ["444455556666", "arn:aws:iam::123456789012:root"],
        "key_type": "customer_managed",
        "kms_key_arn": KEY,
        "key_principals": ROOTS,
        "importer_role_policy": {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "UseModelKeys", "Effect": "Allow",
                           "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": [KEY]}],
        },
    }


def test_aws_owned_entry_has_no_key_and_no_role_policy():
    [entry] = build_handoff([model(RECOGNIZER)], ["444455556666"], [ROOTS[1]])
    assert entry["model_type"] == "entity_recognizer"
    assert entry["key_type"] == "aws_owned"
    assert "kms_key_arn" not in entry and "key_principals" not in entry
    assert entry["importer_role_policy"] is None


def test_unknown_key_type_is_refused():
    with pytest.raises(InvalidInputError, match="unknown key type"):
        build_handoff([model(RECOGNIZER, "mystery")], [], [])


def test_check_accepts_what_build_produces():
    entries = build_handoff([model(CLASSIFIER, "customer_managed", KEY), model(RECOGNIZER)], ["444455556666"], [ROOTS[1]])
    assert [check_handoff_entry(entry) for entry in entries] == entries


@pytest.mark.parametrize("change, message", [
    ({"schema_version": 2}, "schema_version 2 is not supported"),
    ({"schema_version": None}, "schema_version None is not supported"),
    ({"model_arn": "arn:aws:s3:::bucket"}, "not a Comprehend custom model ARN"),
    ({"region": "eu-west-1"}, "doesn't match the model ARN's region"),
    ({"key_type": "other"}, "key_type 'other' is not one of"),
    ({"kms_key_arn": None}, "has a customer managed key but no kms_key_arn"),
    ({"key_principals": "arn:aws:iam::444455556666:root"}, "key_principals of .* must be a list of principal ARNs"),
    ({"key_principals": [{"AWS": "x"}]}, "must be a list of principal ARNs"),
    ({"key_principals": ["*"]}, "handoff key_principals: the wildcard principal '\\*'"),
    ({"key_principals": ["comprehend.amazonaws.com"]}, "handoff key_principals: 'comprehend.amazonaws.com' is not"),
    ({"key_principals": ["arn:aws-us-gov:iam::444455556666:root"]}, "partition 'aws-us-gov'"),
    ({"key_type": "aws_owned"}, "has key_principals but a aws_owned key"),
    ({"key_type": "aws_owned", "key_principals": []}, "has a kms_key_arn but a aws_owned key"),
    ({"key_type": "aws_managed"}, "names an AWS managed key, whose key policy can't let another account use it"),
    ({"kms_key_arn": KEY.replace("111122223333", "999999999999")}, "is not a key of the model's account 111122223333"),
    ({"kms_key_arn": KEY.replace("us-west-2", "eu-west-1")}, "is not a key of the model's account .* and region us-west-2"),
])
def test_check_refuses_bad_entries(change, message):
    [entry] = build_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    entry.update(change)
    with pytest.raises(InvalidInputError, match=message):
        check_handoff_entry(entry)


def test_check_accepts_a_handoff_without_key_principals():
    """Handoffs written before key_principals existed stay readable."""
    [entry] = build_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    del entry["key_principals"]
    assert check_handoff_entry(entry) == entry


def test_check_refuses_non_mapping():
    with pytest.raises(InvalidInputError, match="must be a mapping"):
        check_handoff_entry(["not", "a", "dict"])


def test_check_refuses_a_key_that_is_not_a_key_arn():
    [entry] = build_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    for value in ({"Arn": KEY}, "alias/my-key", "1234abcd-12ab-34cd-56ef-1234567890ab"):
        entry["kms_key_arn"] = value
        with pytest.raises(InvalidInputError, match="handoff kms_key_arn: .* is not a KMS key ARN"):
            check_handoff_entry(entry)


def test_share_principals_are_accounts_or_iam_entities_of_the_models_partition():
    arns = [CLASSIFIER]
    assert check_share_principals(["444455556666", "arn:aws:iam::123456789012:role/Importer"], arns)
    with pytest.raises(InvalidInputError, match="share_model_principals: 'comprehend.amazonaws.com' is not"):
        check_share_principals(["444455556666", "comprehend.amazonaws.com"], arns)
    with pytest.raises(InvalidInputError, match="partition 'aws-cn'"):
        check_share_principals(["arn:aws-cn:iam::123456789012:root"], arns)
    with pytest.raises(InvalidInputError, match="non-empty list"):
        check_share_principals([], arns)


def test_share_principals_refuse_models_of_several_partitions():
    with pytest.raises(InvalidInputError, match="share_model_arns: the models are in partitions aws, aws-us-gov"):
        check_share_principals(["444455556666"], [CLASSIFIER, CLASSIFIER.replace("arn:aws:", "arn:aws-us-gov:")])
    with pytest.raises(InvalidInputError, match="share_model_arns must be a non-empty list"):
        check_share_principals(["444455556666"], [])


def test_key_principals_default_to_the_account_roots_of_the_principals():
    principals = ["444455556666", "arn:aws:iam::444455556666:user/jane", "arn:aws:iam::123456789012:role/team/Importer",
                  "arn:aws:iam::123456789012:root"]
    assert share_key_principals(principals, [], [CLASSIFIER]) == ROOTS
    gov = CLASSIFIER.replace("arn:aws:", "arn:aws-us-gov:")
    assert share_key_principals(["arn:aws-us-gov:iam::444455556666:role/R"], None, [gov]) == ["arn:aws-us-gov:iam::444455556666:root"]


def test_key_principals_when_given_are_checked_canonical_and_sorted():
    role = "arn:aws:iam::444455556666:role/seed-comprehend-import"
    assert share_key_principals(["444455556666"], [role, "123456789012", role], [CLASSIFIER]) == [ROOTS[0], role]


@pytest.mark.parametrize("key_principals, message", [
    (["*"], "share_model_key_principals: the wildcard principal '\\*' would let every AWS account"),
    (["arn:aws:iam::*:root"], "share_model_key_principals: the wildcard principal"),
    (["comprehend.amazonaws.com"], "share_model_key_principals: 'comprehend.amazonaws.com' is not a 12-digit account ID"),
    (["arn:aws-cn:iam::444455556666:role/R"], "share_model_key_principals: .* is in partition 'aws-cn', not 'aws'"),
    ("444455556666", "share_model_key_principals must be a list"),
])
def test_key_principals_refusals(key_principals, message):
    with pytest.raises(InvalidInputError, match=message):
        share_key_principals(["444455556666"], key_principals, [CLASSIFIER])


def test_regions_group_the_arns_in_order_of_first_appearance():
    west, europe = CLASSIFIER, CLASSIFIER.replace("us-west-2", "eu-west-1")
    assert share_regions([west, europe, RECOGNIZER, west]) == [
        {"region": "us-west-2", "model_arns": [west, RECOGNIZER]}, {"region": "eu-west-1", "model_arns": [europe]}]


@pytest.mark.parametrize("region", ["", "US-WEST-2", "Us-west-2"])
def test_regions_refuse_what_the_api_refuses(region):
    with pytest.raises(InvalidInputError, match=f"share_model_arns: .* names the region '{region}'; a model ARN names its "
                                                "region in lower case"):
        share_regions([CLASSIFIER.replace("us-west-2", region)])


def handoff_for(*arns: str) -> list:
    return [check_handoff_entry(entry) for entry in build_handoff([{"arn": arn} for arn in arns], ["444455556666"], [ROOTS[1]])]


V1 = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1"
V2 = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v2"
UNVERSIONED = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets"


def test_copies_keep_their_source_names_by_default():
    plan = plan_imports(handoff_for(V1, V2, UNVERSIONED), {})
    assert [(entry["copy_model_name"], entry["copy_version_name"]) for entry in plan] == [
        ("tickets", "v1"), ("tickets", "v2"), ("tickets", None)]


def test_names_override_either_part():
    plan = plan_imports(handoff_for(V1, V2), {V1: {"model_name": "copy"}, V2: {"version_name": "second"}})
    assert [(entry["copy_model_name"], entry["copy_version_name"]) for entry in plan] == [("copy", "v1"), ("tickets", "second")]


@pytest.mark.parametrize("arns, names, message", [
    ((V1, V2), {V1: {"version_name": "v2"}}, "would both be imported as tickets version v2"),
    ((V1, V2), {V1: {"model_name": "x", "version_name": "v"}, V2: {"model_name": "x", "version_name": "v"}}, "would both"),
    ((V1,), {V2: {"model_name": "x"}}, f"{V2} is not a model of the handoff"),
    ((V1,), {1: {}, "x": {}}, "1, x is not a model of the handoff"),
    ((V1,), {V1: {"name": "x"}}, "must be a dictionary with model_name and/or version_name"),
    ((V1,), {V1: "x"}, "must be a dictionary"),
    ((V1,), {V1: {"model_name": "bad_name"}}, f"import_model_names[{V1}].model_name"),
    ((V1,), {V1: {"version_name": "v1\n"}}, f"import_model_names[{V1}].version_name"),
    ((V1,), ["x"], "import_model_names must be a dictionary"),
])
def test_plan_refusals_name_import_model_names(arns, names, message):
    with pytest.raises(InvalidInputError, match="import_model_names") as error:
        plan_imports(handoff_for(*arns), names)
    assert message in str(error.value)


def test_the_same_name_in_two_regions_or_types_is_not_a_clash():
    recognizer = V1.replace("document-classifier", "entity-recognizer")
    other_region = V1.replace("us-west-2", "eu-west-1")
    assert len(plan_imports(handoff_for(V1, recognizer, other_region), {})) == 3
