"""Unit tests of the owner -> importer handoff (pure logic)."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import HANDOFF_SCHEMA_VERSION
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import build_handoff
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_handoff
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_own_key
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_handoff_entry
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_handoff_path
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import handoff_entry
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import key_policy_name
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import plan_imports
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import policy_size
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import role_key_policies
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_key_principals
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_regions
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_summary

CLASSIFIER = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/mycf1/version/v2"
RECOGNIZER = "arn:aws:comprehend:us-west-2:111122223333:entity-recognizer/people"
KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOTS = ["arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:root"]


def model(arn, key_type="aws_owned", key_arn=None):
    return {"arn": arn, "encryption": {"key_type": key_type, "kms_key_arn": key_arn}}


def shared_handoff(models, principals, key_principals):
    """build_handoff for models whose resource policies all name ``principals`` after the run, and whose keys let
    ``key_principals`` use them for each."""
    return build_handoff(models, [{"resource_arn": shared["arn"], "principals": principals} for shared in models],
                         [{"model_arn": shared["arn"], "principals": key_principals} for shared in models])


def test_customer_managed_entry_names_the_key_and_the_role_policy():
    [entry] = shared_handoff([model(CLASSIFIER, "customer_managed", KEY)], [ROOTS[1], ROOTS[0], ROOTS[1]], [ROOTS[1], ROOTS[0]])
    assert entry == {
        "schema_version": HANDOFF_SCHEMA_VERSION,
        "model_arn": CLASSIFIER,
        "model_type": "document_classifier",
        "region": "us-west-2",
        "source_account": "111122223333",
        "principals": ROOTS,
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
    [entry] = shared_handoff([model(RECOGNIZER)], ["444455556666"], [ROOTS[1]])
    assert entry["model_type"] == "entity_recognizer"
    assert entry["key_type"] == "aws_owned"
    assert "kms_key_arn" not in entry and "key_principals" not in entry
    assert entry["importer_role_policy"] is None


def test_unknown_key_type_is_refused():
    with pytest.raises(InvalidInputError, match="unknown key type"):
        shared_handoff([model(RECOGNIZER, "mystery")], [], [])


def test_check_accepts_what_build_produces():
    entries = shared_handoff([model(CLASSIFIER, "customer_managed", KEY), model(RECOGNIZER)], ["444455556666"], [ROOTS[1]])
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
    [entry] = shared_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    entry.update(change)
    with pytest.raises(InvalidInputError, match=message):
        check_handoff_entry(entry)


def test_check_accepts_a_handoff_without_key_principals():
    """Handoffs written before key_principals existed stay readable."""
    [entry] = shared_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    del entry["key_principals"]
    assert check_handoff_entry(entry) == entry


def test_check_refuses_non_mapping():
    with pytest.raises(InvalidInputError, match="must be a mapping"):
        check_handoff_entry(["not", "a", "dict"])


def test_check_refuses_a_key_that_is_not_a_key_arn():
    [entry] = shared_handoff([model(CLASSIFIER, "customer_managed", KEY)], ["444455556666"], [ROOTS[1]])
    for value in ({"Arn": KEY}, "alias/my-key", "1234abcd-12ab-34cd-56ef-1234567890ab"):
        entry["kms_key_arn"] = value
        with pytest.raises(InvalidInputError, match="handoff kms_key_arn: .* is not a KMS key ARN"):
            check_handoff_entry(entry)


def customer_managed_entry():
    return handoff_entry(model(CLASSIFIER, "customer_managed", KEY), ["444455556666"], [ROOTS[1]])


OTHER_ACCOUNT_KEY = KEY.replace("111122223333", "999999999999")


@pytest.mark.parametrize("change, message", [
    ({"schema_version": True}, "schema_version True is not supported"),
    ({"schema_version": 1.0}, "schema_version 1.0 is not supported"),
    ({"schema_version": "1"}, "schema_version '1' is not supported"),
    ({"model_type": "entity_recognizer"}, "handoff model_type 'entity_recognizer' doesn't match the model ARN's model_type 'document_classifier'"),
    ({"source_account": "999999999999"}, "handoff source_account '999999999999' doesn't match the model ARN's source_account '111122223333'"),
    ({"source_account": 111122223333}, "handoff source_account 111122223333 doesn't match"),
    ({"principals": []}, "handoff principals of .* must be a non-empty list"),
    ({"principals": "444455556666"}, "handoff principals of .* must be a non-empty list"),
    ({"principals": ["*"]}, "handoff principals: the wildcard principal"),
    ({"principals": ["comprehend.amazonaws.com"]}, "handoff principals: 'comprehend.amazonaws.com' is not"),
    ({"owner_note": "x", "extra": 1}, "has unknown fields extra, owner_note"),
    ({"importer_role_policy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "UseModelKeys", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}},
     "importer_role_policy of .* is not the policy its key calls for"),
    ({"importer_role_policy": None}, "importer_role_policy of .* is not the policy its key calls for"),
    # A tampered key and the policy to go with it: the key is refused whatever the policy says.
    ({"kms_key_arn": OTHER_ACCOUNT_KEY, "importer_role_policy": importer_role_policy([OTHER_ACCOUNT_KEY])},
     "is not a key of the model's account 111122223333"),
])
def test_check_refuses_tampered_entries(change, message):
    entry = dict(customer_managed_entry(), **change)
    with pytest.raises(InvalidInputError, match=message):
        check_handoff_entry(entry)


@pytest.mark.parametrize("field", ["model_type", "source_account", "principals", "key_type", "region"])
def test_check_refuses_an_entry_lacking_a_field(field):
    entry = customer_managed_entry()
    del entry[field]
    with pytest.raises(InvalidInputError, match=f"lacks the fields {field}"):
        check_handoff_entry(entry)


def test_check_accepts_an_entry_without_importer_role_policy():
    """The importer derives the service role's policy itself, so an entry may leave it out."""
    entry = customer_managed_entry()
    del entry["importer_role_policy"]
    assert check_handoff_entry(entry) == entry


@pytest.mark.parametrize("handoff, message", [
    ([], "the handoff holds no handoff entry, so there is nothing to import"),
    ({}, "the handoff holds no handoff entry"),
    ("", "the handoff is empty"),
    ("  \n", "the handoff is empty"),
    ("[]", "the handoff holds no handoff entry"),
    ("{not json", "the handoff is not JSON"),
    ("42", "the handoff must be a list of handoff entries or one entry, got int"),
    ("null", "the handoff must be a list of handoff entries or one entry, got NoneType"),
    (None, "got NoneType"),
])
def test_an_empty_or_unreadable_handoff_is_refused(handoff, message):
    with pytest.raises(InvalidInputError, match=message):
        check_handoff(handoff)


def test_the_handoff_names_its_source_in_refusals():
    with pytest.raises(InvalidInputError, match="the handoff file /tmp/h.json is empty"):
        check_handoff("", "the handoff file /tmp/h.json")


def test_a_handoff_is_read_from_json_text_a_list_or_one_entry():
    entry = customer_managed_entry()
    assert check_handoff(json.dumps([entry])) == [entry]
    assert check_handoff(json.dumps(entry)) == [entry]
    assert check_handoff([entry]) == [entry]


def test_identical_entries_are_merged_and_conflicting_ones_refused():
    entry = customer_managed_entry()
    recognizer = handoff_entry(model(RECOGNIZER), ["444455556666"], [])
    assert check_handoff([entry, recognizer, dict(entry)]) == [entry, recognizer]
    with pytest.raises(InvalidInputError, match=f"two different entries for {CLASSIFIER}"):
        check_handoff([entry, dict(entry, principals=["123456789012"])])
    # true == 1 in Python, but not in the handoff.
    with pytest.raises(InvalidInputError, match="schema_version True"):
        check_handoff([entry, dict(entry, schema_version=True)])


SECOND_KEY = KEY.replace("1234abcd", "5678abcd")


def policies(*keys):
    """The role's inline policies as iam_policy_info returns them, one per key."""
    return [{"policy_name": key_policy_name(key), "policy_document": importer_role_policy([key])} for key in keys]


def test_each_key_gets_its_own_policy_named_from_the_key():
    planned = role_key_policies([KEY, SECOND_KEY, KEY], [], False, "seed-comprehend-import")
    assert [policy["state"] for policy in planned] == ["present", "present"]
    assert {policy["policy_name"]: policy["policy_document"]["Statement"][0]["Resource"] for policy in planned} == {
        key_policy_name(KEY): [KEY], key_policy_name(SECOND_KEY): [SECOND_KEY]}
    assert key_policy_name(KEY).startswith("seed-comprehend-key-") and key_policy_name(KEY) != key_policy_name(SECOND_KEY)


def test_keys_of_earlier_handoffs_and_the_0_1_0_policy_are_kept_unless_purged():
    existing = policies(SECOND_KEY) + [{"policy_name": "seed-comprehend-model-keys", "policy_document": importer_role_policy([SECOND_KEY])},
                                       {"policy_name": "someone-elses", "policy_document": importer_role_policy([SECOND_KEY])}]
    kept = role_key_policies([KEY], existing, False, "seed-comprehend-import")
    assert [(policy["policy_name"], policy["state"]) for policy in kept] == [(key_policy_name(KEY), "present")]
    purged = role_key_policies([KEY], existing, True, "seed-comprehend-import")
    assert sorted((policy["policy_name"], policy["state"]) for policy in purged) == sorted([
        (key_policy_name(KEY), "present"), (key_policy_name(SECOND_KEY), "absent"), ("seed-comprehend-model-keys", "absent")])


def test_more_keys_than_the_role_policy_quota_holds_are_refused():
    keys = [KEY.replace("1234abcd", f"{number:08x}") for number in range(60)]
    fitting = role_key_policies(keys[:43], [], False, "seed-comprehend-import")
    assert sum(policy_size(policy["policy_document"]) for policy in fitting) <= 10240
    with pytest.raises(InvalidInputError, match="would total 10296 characters with the 44 keys of this play, over IAM's quota of 10240"):
        role_key_policies(keys[:44], [], False, "seed-comprehend-import")
    # Keys kept from earlier handoffs count too; purging them makes room.
    with pytest.raises(InvalidInputError, match="the service role seed-comprehend-import would total .* with the 1 keys"):
        role_key_policies(keys[:1], policies(*keys[1:44]), False, "seed-comprehend-import")
    assert len(role_key_policies(keys[:1], policies(*keys[1:44]), True, "seed-comprehend-import")) == 44


def test_the_own_key_is_a_key_arn_of_the_models_region():
    entries = [customer_managed_entry(), dict(customer_managed_entry(), region="eu-west-1")]
    own = "arn:aws:kms:us-west-2:444455556666:key/abcd"
    assert check_own_key("", entries) == ""
    assert check_own_key(own, entries[:1]) == own
    with pytest.raises(InvalidInputError, match="import_model_kms_key_arn: 'alias/mine' is not a KMS key ARN"):
        check_own_key("alias/mine", entries[:1])
    with pytest.raises(InvalidInputError, match="a key of region us-west-2, but the handoff has models in eu-west-1, where each copy is made"):
        check_own_key(own, entries)


@pytest.mark.parametrize("key_principals", [[], ["arn:aws:iam::444455556666:role/seed-comprehend-import"]])
def test_share_principals_are_accounts_or_iam_entities_of_the_models_partition(key_principals):
    """share_key_principals checks the principals the models are shared with, also when the key principals are given."""
    arns = [CLASSIFIER]
    assert share_key_principals(["444455556666", "arn:aws:iam::123456789012:role/Importer"], key_principals, arns)
    with pytest.raises(InvalidInputError, match="share_model_principals: 'comprehend.amazonaws.com' is not"):
        share_key_principals(["444455556666", "comprehend.amazonaws.com"], key_principals, arns)
    with pytest.raises(InvalidInputError, match="share_model_principals: .* is in partition 'aws-cn'"):
        share_key_principals(["arn:aws-cn:iam::123456789012:root"], key_principals, arns)
    with pytest.raises(InvalidInputError, match="^share_model_principals must be a non-empty list"):
        share_key_principals([], key_principals, arns)


def test_share_principals_refuse_models_of_several_partitions():
    with pytest.raises(InvalidInputError, match="share_model_arns: the models are in partitions aws, aws-us-gov"):
        share_key_principals(["444455556666"], [], [CLASSIFIER, CLASSIFIER.replace("arn:aws:", "arn:aws-us-gov:")])
    with pytest.raises(InvalidInputError, match="share_model_arns must be a non-empty list"):
        share_key_principals(["444455556666"], [], [])


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
    return [check_handoff_entry(entry) for entry in shared_handoff([{"arn": arn} for arn in arns], ["444455556666"], [ROOTS[1]])]


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


# ---------------------------------------------------------------- share side: the principals after the run, the handoff path


def test_each_entry_names_the_principals_its_policy_names_after_the_run():
    """Not the play's input: the resource policy results of each model, which keep principals a purge-less run didn't name."""
    policies = [{"resource_arn": RECOGNIZER, "principals": [ROOTS[1]]},
                {"resource_arn": CLASSIFIER, "principals": [ROOTS[1], ROOTS[0]], "changed": True}]
    entries = build_handoff([model(CLASSIFIER, "customer_managed", KEY), model(RECOGNIZER)], policies,
                            [{"model_arn": CLASSIFIER, "principals": [ROOTS[1]]}])
    assert [(entry["model_arn"], entry["principals"]) for entry in entries] == [(CLASSIFIER, ROOTS), (RECOGNIZER, [ROOTS[1]])]


def test_key_principals_are_those_the_key_grants_for_each_model_after_the_run():
    """From kms_comprehend_grant's grants, which keep principals a purge-less run didn't name, for that model only;
    without key grants (the play didn't manage the key policies) the entry doesn't claim any."""
    models = [model(CLASSIFIER, "customer_managed", KEY), model(RECOGNIZER)]
    policies = [{"resource_arn": arn, "principals": [ROOTS[1]]} for arn in (CLASSIFIER, RECOGNIZER)]
    grants = [{"model_arn": CLASSIFIER, "principals": [ROOTS[1], ROOTS[0]]},
              {"model_arn": CLASSIFIER.replace("/version/", "/version/x"), "principals": ["arn:aws:iam::777788889999:root"]}]
    [classifier, recognizer] = build_handoff(models, policies, grants)
    assert classifier["key_principals"] == ROOTS and "key_principals" not in recognizer
    [unmanaged, _recognizer] = build_handoff(models, policies, None)
    assert "key_principals" not in unmanaged and unmanaged["kms_key_arn"] == KEY


def test_a_model_without_a_resource_policy_result_is_refused():
    with pytest.raises(InvalidInputError, match=f"no resource policy result to read the principals of {RECOGNIZER} from"):
        build_handoff([model(CLASSIFIER), model(RECOGNIZER)], [{"resource_arn": CLASSIFIER, "principals": [ROOTS[1]]}], [])


def test_a_handoff_path_is_made_absolute_and_may_be_a_symlink_to_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_handoff_path("") == ""
    assert check_handoff_path("handoff.json") == str(tmp_path / "handoff.json")
    (tmp_path / "target.json").write_text("", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "target.json")
    assert check_handoff_path("link.json") == str(tmp_path / "link.json")
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")], "the write probe is removed"


def test_a_handoff_path_that_cant_be_written_is_refused(tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    (tmp_path / "dir-link").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    for path, message in ((tmp_path, "is a directory; name a file in it"), (tmp_path / "dir-link", "is a directory"),
                          (tmp_path / "dangling", f"is a symlink to '{tmp_path / 'gone'}', which doesn't exist"),
                          (tmp_path / "file" / "handoff.json", "which is not an existing directory"),
                          (tmp_path / "none" / "handoff.json", "which is not an existing directory")):
        with pytest.raises(InvalidInputError, match=f"^share_model_handoff_path '{re.escape(str(path))}' .*{re.escape(message)}"):
            check_handoff_path(str(path))
    with pytest.raises(InvalidInputError, match="share_model_handoff_path must be a file path, got 3"):
        check_handoff_path(3)


def test_share_summary_says_what_the_importer_must_do_per_model_version():
    model = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1"
    key = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    common = {"model_arn": model, "model_type": "document_classifier", "region": "us-west-2",
              "principals": ["arn:aws:iam::444455556666:root", "arn:aws:iam::777788889999:root"]}
    granted, ungranted, owned = share_summary([
        dict(common, key_type="customer_managed", kms_key_arn=key, key_principals=["arn:aws:iam::444455556666:role/importer"]),
        dict(common, key_type="customer_managed", kms_key_arn=key),
        dict(common, key_type="aws_owned")])
    shared = f"{model} (document_classifier, us-west-2) is shared with arn:aws:iam::444455556666:root, arn:aws:iam::777788889999:root. "
    assert granted == (shared + f"Key: customer managed {key}, granted to arn:aws:iam::444455556666:role/importer; the importer needs a "
                       "service role trusted by comprehend.amazonaws.com with kms:CreateGrant, kms:Decrypt and kms:GenerateDataKey on "
                       "that key, and passes it as DataAccessRoleArn to ImportModel in us-west-2.")
    assert ungranted.startswith(shared + f"Key: customer managed {key}; the importer needs")
    assert owned == shared + "Key: AWS owned; the importer runs ImportModel in us-west-2 without a service role."
    assert share_summary([]) == []
