"""Integration tests of the seed.comprehend.share_model role against the emulator: real playbook runs, judged
by what AWS holds afterwards, the handoff, and the emulator's call log."""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import pytest
from conftest import assume_account

IMPORTER_ROOT = "arn:aws:iam::444455556666:root"
OTHER_ID = "123456789012"
FOREIGN = {"Sid": "KeepMe", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
           "Principal": {"AWS": "arn:aws:iam::999988887777:root"}}


def resource_policy(aws, arn: str) -> Optional[Dict[str, Any]]:
    client = aws.owner.client("comprehend")
    try:
        return json.loads(client.describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
    except client.exceptions.ResourceNotFoundException:
        return None


def key_policy(aws, key_arn: str) -> Dict[str, Any]:
    return json.loads(aws.owner.client("kms").get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])


def two_models(aws):
    """A classifier under a customer managed key and a recognizer under an AWS owned key, both trained."""
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    return key, classifier, recognizer


def share(playbook, aws, arns, tmp_path=None, **extra):
    variables = {"share_model_arns": arns, "share_model_principals": [aws.importer.account_id]}
    if tmp_path is not None:
        variables["share_model_handoff_path"] = str(tmp_path / "handoff.json")
    variables.update(extra)
    return playbook("share/share.yml", **variables)


def test_share_both_kinds_emits_the_handoff_and_a_rerun_writes_nothing(aws, playbook, tmp_path):
    key, classifier, recognizer = two_models(aws)
    aws.reset_calls()
    run = share(playbook, aws, [classifier, recognizer], tmp_path)
    assert run.rc == 0, run.stdout

    handoff = run.result("handoff_fact")
    assert handoff == [
        {"schema_version": 1, "model_arn": classifier, "model_type": "document_classifier", "region": "us-west-2",
         "source_account": "111122223333", "principals": [IMPORTER_ROOT], "key_type": "customer_managed",
         "kms_key_arn": key, "key_principals": [IMPORTER_ROOT],
         "importer_role_policy": {"Version": "2012-10-17", "Statement": [{
             "Sid": "UseModelKeys", "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": [key]}]}},
        {"schema_version": 1, "model_arn": recognizer, "model_type": "entity_recognizer", "region": "us-west-2",
         "source_account": "111122223333", "principals": [IMPORTER_ROOT], "key_type": "aws_owned",
         "importer_role_policy": None},
    ]
    handoff_file = tmp_path / "handoff.json"
    assert stat.S_IMODE(handoff_file.stat().st_mode) == 0o600
    assert json.loads(handoff_file.read_text(encoding="utf-8")) == handoff
    assert f"is shared with {IMPORTER_ROOT}. Key: customer managed {key}, granted to {IMPORTER_ROOT}" in run.stdout

    for arn in (classifier, recognizer):
        assert IMPORTER_ROOT in json.dumps(resource_policy(aws, arn))
    granted = json.dumps(key_policy(aws, key))
    assert classifier in granted and IMPORTER_ROOT in granted and recognizer not in granted
    kms_writes = [call for call in aws.write_calls(aws.owner.account_id) if call["service"] == "kms"]
    assert [call["operation"] for call in kms_writes] == ["PutKeyPolicy"], "one key-policy write per key"

    aws.reset_calls()
    rerun = share(playbook, aws, [classifier, recognizer], tmp_path)
    assert rerun.rc == 0, rerun.stdout
    assert "changed=0" in rerun.stdout, rerun.stdout
    assert aws.write_calls() == []


def test_unshare_removes_exactly_what_was_shared(aws, playbook):
    key, classifier, recognizer = two_models(aws)
    aws.owner.client("comprehend").put_resource_policy(
        ResourceArn=classifier, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [FOREIGN]}))
    key_before = key_policy(aws, key)
    assert share(playbook, aws, [classifier, recognizer]).rc == 0

    run = share(playbook, aws, [classifier, recognizer], share_model_state="absent")
    assert run.rc == 0, run.stdout
    assert key_policy(aws, key) == key_before
    assert resource_policy(aws, classifier)["Statement"] == [FOREIGN]
    assert resource_policy(aws, recognizer) is None


def test_check_mode_writes_nothing(aws, playbook):
    _key, classifier, recognizer = two_models(aws)
    aws.reset_calls()
    run = playbook("share/share.yml", check=True, share_model_arns=[classifier, recognizer],
                   share_model_principals=["444455556666"])
    assert run.rc == 0, run.stdout
    assert aws.write_calls() == []
    assert resource_policy(aws, classifier) is None


def test_untrained_model_is_refused_before_any_write(aws, playbook):
    trained = aws.create_model(aws.owner, name="ready", version="v1")
    training = aws.create_model(aws.owner, name="busy", version="v1", status="TRAINING")
    aws.reset_calls()
    run = share(playbook, aws, [trained, training])
    assert run.rc != 0
    assert f"Only trained models can be shared; not trained: {training}" in run.stdout
    assert aws.write_calls() == []


def test_a_resource_policy_the_module_may_not_edit_is_refused_before_any_key_policy(aws, playbook):
    """The key policies are written first; a resource policy refusal must still come before them (a check-mode plan)."""
    key = aws.create_key(aws.owner)
    statement = {"Sid": "ResourcePolicyForImportModel", "Effect": "Deny", "Principal": {"AWS": "444455556666"},
                 "Action": "comprehend:ImportModel", "Resource": "*"}
    deny = {"Version": "2012-10-17", "Statement": [statement]}
    model = aws.create_model(aws.owner, name="denied", version="v1", kms_key_id=key, policy=deny)
    aws.reset_calls()
    run = share(playbook, aws, [model])
    assert run.rc != 0
    assert "is not an Allow statement this module can manage" in run.stdout, run.stdout
    assert aws.write_calls() == []


def test_aws_managed_key_is_refused_before_any_write(aws, playbook):
    model = aws.create_model(aws.owner, name="managed", version="v1", kms_key_id="alias/aws/comprehend")
    aws.reset_calls()
    run = share(playbook, aws, [model])
    assert run.rc != 0
    assert "encrypted with an AWS managed key, whose key policy" in run.stdout and model in run.stdout
    assert aws.write_calls() == []


def test_disabled_key_is_refused_before_any_write(aws, playbook):
    """An importer couldn't use a disabled key: the role refuses before the first resource policy, not after."""
    key = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="locked", version="v1", kms_key_id=key)
    aws.owner.client("kms").disable_key(KeyId=key)
    aws.reset_calls()
    run = share(playbook, aws, [model])
    assert run.rc != 0
    assert f"{model} (key {key}: Disabled)" in run.stdout and "Enable the key" in run.stdout
    assert aws.write_calls() == []


def test_a_missing_model_in_another_region_is_refused_before_any_write(aws, playbook):
    """Each model is described in its own region: one that isn't there stops the play before the first write."""
    _key, classifier, _recognizer = two_models(aws)
    elsewhere = "arn:aws:comprehend:eu-west-1:111122223333:document-classifier/tickets/version/v1"
    aws.reset_calls()
    run = share(playbook, aws, [classifier, elsewhere])
    assert run.rc != 0
    assert f"the document-classifier {elsewhere} does not exist, or this account can't see it" in run.stdout
    assert aws.write_calls() == []


def test_argument_spec_rejects_bad_input(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1")
    aws.reset_calls()
    missing = playbook("share/share.yml", share_model_arns=[model])
    assert missing.rc != 0 and "missing required arguments: share_model_principals" in missing.stdout
    bad_state = share(playbook, aws, [model], share_model_state="gone")
    assert bad_state.rc != 0 and "share_model_state" in bad_state.stdout and "present, absent" in bad_state.stdout
    assert aws.write_calls() == []


# ---------------------------------------------------------------- key principals (issue 12)


def statements_naming(policy: Dict[str, Any], principal: str):
    return [statement for statement in policy["Statement"] if principal in json.dumps(statement.get("Principal"))]


def key_principals_of(policy: Dict[str, Any]):
    """The principals of the collection's own key-policy statements."""
    found = set()
    for statement in policy["Statement"]:
        if str(statement.get("Sid", "")).startswith("SeedComprehendImport"):
            value = statement["Principal"]["AWS"]
            found.update(value if isinstance(value, list) else [value])
    return sorted(found)


def test_key_grants_go_to_the_account_roots_by_default_and_to_named_key_principals(aws, playbook, tmp_path):
    """An IAM role, an IAM user and an account may call ImportModel (resource policy); the key policy names the
    identity KMS sees during the import: by default the accounts' roots, with share_model_key_principals the role
    named there. Unsharing removes the same key principals."""
    other = assume_account(aws.url, OTHER_ID)
    role = aws.create_role(other, "ModelImporter", path="/team/")
    user = aws.create_user(aws.importer, "jane")
    key, classifier, recognizer = two_models(aws)
    default = key_policy(aws, key)
    principals = [role, user, "210987654321"]

    run = share(playbook, aws, [classifier, recognizer], tmp_path, share_model_principals=principals)

    assert run.rc == 0, run.stdout
    roots = [f"arn:aws:iam::{OTHER_ID}:root", "arn:aws:iam::210987654321:root", IMPORTER_ROOT]
    assert key_principals_of(key_policy(aws, key)) == sorted(roots)
    granted = key_policy(aws, key)
    assert not statements_naming(granted, role) and not statements_naming(granted, user)
    assert sorted(resource_policy(aws, classifier)["Statement"][0]["Principal"]["AWS"]) == sorted(
        [role, user, "arn:aws:iam::210987654321:root"])
    handoff = run.result("handoff_fact")
    assert handoff[0]["key_principals"] == sorted(roots) and "key_principals" not in handoff[1]
    assert handoff[0]["principals"] == sorted([role, user, "arn:aws:iam::210987654321:root"])

    # The importer's data access role exists now: name it instead (purge replaces the account roots).
    data_role = aws.create_role(aws.importer, "seed-comprehend-import")
    run = share(playbook, aws, [classifier, recognizer], share_model_principals=principals,
                share_model_key_principals=[data_role])
    assert run.rc == 0, run.stdout
    assert key_principals_of(key_policy(aws, key)) == [data_role]
    assert run.result("handoff_fact")[0]["key_principals"] == [data_role]

    run = share(playbook, aws, [classifier, recognizer], share_model_principals=principals,
                share_model_key_principals=[data_role], share_model_state="absent")
    assert run.rc == 0, run.stdout
    assert key_policy(aws, key) == default
    assert resource_policy(aws, classifier) is None and resource_policy(aws, recognizer) is None


def test_models_of_two_regions_in_one_play(aws, playbook, tmp_path):
    """Models in us-west-2 and eu-west-1, each under a key of its region: each is described, shared and its key
    granted in its own region; the handoff holds both; a rerun writes nothing."""
    europe = replace(aws.owner, region="eu-west-1")
    west_key = aws.create_key(aws.owner)
    west = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=west_key)
    europe_key = aws.create_key(europe)
    eu = aws.create_model(europe, name="tickets", version="v1", kms_key_id=europe_key)
    eu_owned = aws.create_model(europe, model_type="entity-recognizer", name="products", version="v3")
    aws.reset_calls()

    run = share(playbook, aws, [eu, west, eu_owned], tmp_path)

    assert run.rc == 0, run.stdout
    handoff = run.result("handoff_fact")
    assert [(entry["model_arn"], entry["region"], entry.get("kms_key_arn")) for entry in handoff] == [
        (eu, "eu-west-1", europe_key), (eu_owned, "eu-west-1", None), (west, "us-west-2", west_key)]
    assert key_principals_of(key_policy(aws, west_key)) == [IMPORTER_ROOT]
    eu_policy = json.loads(europe.client("kms").get_key_policy(KeyId=europe_key, PolicyName="default")["Policy"])
    assert key_principals_of(eu_policy) == [IMPORTER_ROOT] and eu in json.dumps(eu_policy) and west not in json.dumps(eu_policy)
    for arn, account in ((west, aws.owner), (eu, europe), (eu_owned, europe)):
        policy = json.loads(account.client("comprehend").describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
        assert IMPORTER_ROOT in json.dumps(policy)
    assert sorted(call["operation"] for call in aws.write_calls() if call["service"] == "kms") == ["PutKeyPolicy"] * 2

    aws.reset_calls()
    rerun = share(playbook, aws, [eu, west, eu_owned], tmp_path)
    assert rerun.rc == 0, rerun.stdout
    assert "changed=0" in rerun.stdout, rerun.stdout
    assert aws.write_calls() == []


def test_the_lockout_refusal_fails_at_once_and_writes_nothing(aws, playbook):
    """A key policy whose only say on kms:PutKeyPolicy is a conditional Deny passes the real request, but KMS's lockout
    check ignores conditions: no wait helps, so the play fails at once, before any resource policy is written."""
    key, classifier, _recognizer = two_models(aws)
    locked = key_policy(aws, key)
    locked["Statement"].append({"Sid": "NoPolicyChangesOutsideTheVpc", "Effect": "Deny", "Principal": {"AWS": "*"},
                                "Action": "kms:PutKeyPolicy", "Resource": "*",
                                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-0123456789abcdef0"}}})
    aws.owner.client("kms").put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(locked),
                                           BypassPolicyLockoutSafetyCheck=True)
    aws.reset_calls()

    started = time.monotonic()
    run = share(playbook, aws, [classifier])

    assert run.rc != 0
    assert time.monotonic() - started < 30, "the lockout refusal must not be retried"
    assert "KMS's lockout safety check). The module never bypasses that check" in run.stdout, run.stdout
    assert [call["operation"] for call in aws.write_calls()] == ["PutKeyPolicy"]  # refused, so nothing changed
    assert key_policy(aws, key) == locked


def test_a_key_principal_that_does_not_exist_is_refused_with_a_clear_message(aws, playbook):
    key, classifier, _recognizer = two_models(aws)
    before = key_policy(aws, key)
    ghost = "arn:aws:iam::444455556666:role/does-not-exist"

    run = share(playbook, aws, [classifier], share_model_key_principals=[ghost])

    assert run.rc != 0
    assert "A principal it names may not exist, or IAM may not know it yet: check the principals" in run.stdout, run.stdout
    assert key_policy(aws, key) == before


def test_bad_key_principals_are_refused_before_any_call(aws, playbook):
    _key, classifier, _recognizer = two_models(aws)
    aws.reset_calls()
    for principals, message in ((["*"], "share_model_key_principals: the wildcard principal '*'"),
                                (["comprehend.amazonaws.com"], "share_model_key_principals: 'comprehend.amazonaws.com' is not"),
                                (["arn:aws-cn:iam::444455556666:root"], "is in partition 'aws-cn', not 'aws'")):
        run = share(playbook, aws, [classifier], share_model_key_principals=principals)
        assert run.rc != 0 and message in run.stdout, run.stdout
    assert aws.calls() == []


def test_a_key_policy_over_a_lowered_limit_is_refused_before_any_write(aws, playbook):
    """A lowered share_model_key_policy_size_limit refuses the grant before the first write (resource policies
    included); the default takes a policy of exactly 32,768 bytes, KMS's limit."""
    key, classifier, _recognizer = two_models(aws)
    padded = key_policy(aws, key)
    aws.reset_calls()
    run = share(playbook, aws, [classifier], share_model_key_policy_size_limit=600)
    assert run.rc != 0
    assert ("over the limit of 600 bytes set by policy_size_limit (share_model_key_policy_size_limit in the share_model role; "
            "KMS documents 32768)") in run.stdout, run.stdout
    assert key_policy(aws, key) == padded

    # Pad a foreign statement so that the policy with the grant is 32,768 bytes exactly.
    probe = share(playbook, aws, [classifier])
    assert probe.rc == 0, probe.stdout
    granted = key_policy(aws, key)
    assert share(playbook, aws, [classifier], share_model_state="absent").rc == 0
    padded["Statement"].append({"Sid": "Padding", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/p": ""}}})
    granted["Statement"].insert(1, padded["Statement"][-1])
    room = 32768 - len(json.dumps(granted, separators=(",", ":")).encode("utf-8"))
    padded["Statement"][-1]["Condition"]["StringEquals"]["aws:PrincipalTag/p"] = "x" * room
    aws.owner.client("kms").put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(padded))
    run = share(playbook, aws, [classifier])
    assert run.rc == 0, run.stdout
    assert len(aws.owner.client("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"].encode("utf-8")) == 32768


# ---------------------------------------------------------------- every check before the first write; a true handoff (issue 13)


def a_directory(tmp_path: Path) -> Tuple[Path, str]:
    (tmp_path / "out").mkdir()
    return tmp_path / "out", "is a directory; name a file in it"


def a_symlink_to_a_directory(tmp_path: Path) -> Tuple[Path, str]:
    """The copy module used to report success, leaving the handoff in a hidden temporary file inside the directory."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out-link").symlink_to(tmp_path / "out", target_is_directory=True)
    return tmp_path / "out-link", "is a directory; name a file in it"


def a_dangling_symlink(tmp_path: Path) -> Tuple[Path, str]:
    (tmp_path / "handoff-link.json").symlink_to(tmp_path / "gone" / "handoff.json")
    return tmp_path / "handoff-link.json", "which doesn't exist. Nothing was written"


def in_a_missing_directory(tmp_path: Path) -> Tuple[Path, str]:
    return tmp_path / "missing" / "handoff.json", f"is in '{tmp_path / 'missing'}', which is not an existing directory"


def in_a_read_only_directory(tmp_path: Path) -> Tuple[Path, str]:
    if os.geteuid() == 0:  # root may write in a mode-0500 directory, but not create a file in /proc
        return Path("/proc/handoff.json"), "no file can be created in '/proc'"
    (tmp_path / "read-only").mkdir(mode=0o500)
    return tmp_path / "read-only" / "handoff.json", f"no file can be created in '{tmp_path / 'read-only'}'"


@pytest.mark.parametrize("where", [a_directory, a_symlink_to_a_directory, a_dangling_symlink, in_a_missing_directory,
                                   in_a_read_only_directory], ids=lambda where: where.__name__)
def test_a_handoff_path_that_cant_be_written_is_refused_before_any_write(aws, playbook, tmp_path, where):
    key, classifier, recognizer = two_models(aws)
    key_before = key_policy(aws, key)
    path, message = where(tmp_path)
    aws.reset_calls()

    run = share(playbook, aws, [classifier, recognizer], share_model_handoff_path=str(path))

    assert run.rc != 0
    assert f"share_model_handoff_path '{path}'" in run.stdout and message in run.stdout, run.stdout
    assert "Traceback" not in run.stdout
    assert aws.write_calls() == []
    assert key_policy(aws, key) == key_before
    assert resource_policy(aws, classifier) is None and resource_policy(aws, recognizer) is None


def test_a_symlink_to_a_file_is_written_through(aws, playbook, tmp_path):
    _key, classifier, _recognizer = two_models(aws)
    (tmp_path / "handoff.json").write_text("", encoding="utf-8")
    (tmp_path / "handoff-link.json").symlink_to(tmp_path / "handoff.json")

    run = share(playbook, aws, [classifier], share_model_handoff_path=str(tmp_path / "handoff-link.json"))

    assert run.rc == 0, run.stdout
    assert (tmp_path / "handoff-link.json").is_symlink()
    assert json.loads((tmp_path / "handoff.json").read_text(encoding="utf-8")) == run.result("handoff_fact")


def test_the_handoff_names_who_may_import_after_the_run_as_planned_in_check_mode(aws, playbook, tmp_path):
    """The policies already name account A; the play adds the importer without purge: the handoff lists both as
    root ARNs (in check mode, the planned principals), not just the play's input, and so do the key principals of the
    model under a customer managed key (read from the key grants)."""
    _key, classifier, recognizer = two_models(aws)
    first = "210987654321"
    assert share(playbook, aws, [classifier, recognizer], share_model_principals=[first]).rc == 0
    both = sorted([f"arn:aws:iam::{first}:root", IMPORTER_ROOT])
    aws.reset_calls()

    planned = playbook("share/share.yml", check=True, share_model_arns=[classifier, recognizer],
                       share_model_principals=[aws.importer.account_id], share_model_purge_principals=False)

    assert planned.rc == 0, planned.stdout
    assert [entry["principals"] for entry in planned.result("handoff_fact")] == [both, both]
    assert planned.result("handoff_fact")[0]["key_principals"] == both
    assert aws.write_calls() == []

    run = share(playbook, aws, [classifier, recognizer], tmp_path, share_model_purge_principals=False)

    assert run.rc == 0, run.stdout
    handoff = run.result("handoff_fact")
    assert [entry["principals"] for entry in handoff] == [both, both]
    assert handoff[0]["key_principals"] == both and "key_principals" not in handoff[1]
    assert json.loads((tmp_path / "handoff.json").read_text(encoding="utf-8")) == handoff
    assert f"is shared with {', '.join(both)}." in run.stdout
    assert sorted(resource_policy(aws, recognizer)["Statement"][0]["Principal"]["AWS"]) == both


def test_one_account_spelt_twice_is_listed_once(aws, playbook):
    _key, classifier, recognizer = two_models(aws)

    run = share(playbook, aws, [classifier, recognizer], share_model_principals=["444455556666", f"  {IMPORTER_ROOT} "])

    assert run.rc == 0, run.stdout
    handoff = run.result("handoff_fact")
    assert [entry["principals"] for entry in handoff] == [[IMPORTER_ROOT], [IMPORTER_ROOT]]
    assert handoff[0]["key_principals"] == [IMPORTER_ROOT]
    assert resource_policy(aws, classifier)["Statement"][0]["Principal"] == {"AWS": IMPORTER_ROOT}


def test_a_model_given_twice_is_shared_once_and_its_handoff_imports(aws, playbook, tmp_path):
    """An exact duplicate is merged (one entry per model version, which the import role takes); the same ARN with
    spaces or another spelling of its partition is no model ARN, refused before any call."""
    key, classifier, recognizer = two_models(aws)
    aws.reset_calls()

    run = share(playbook, aws, [classifier, recognizer, classifier], tmp_path)

    assert run.rc == 0, run.stdout
    assert [entry["model_arn"] for entry in run.result("handoff_fact")] == [classifier, recognizer]
    assert [call["operation"] for call in aws.write_calls() if call["service"] == "kms"] == ["PutKeyPolicy"]
    assert json.dumps(key_policy(aws, key)).count(classifier) == 2  # once per statement of its pair
    imported = playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(tmp_path / "handoff.json"))
    assert imported.rc == 0, imported.stdout
    assert sorted(model["source_model_arn"] for model in imported.result("imported")) == sorted([classifier, recognizer])

    aws.reset_calls()
    for spelling in (f" {classifier} ", classifier.replace("arn:aws:", "arn:AWS:")):
        refused = share(playbook, aws, [classifier, spelling])
        assert refused.rc != 0 and f"share_model_arns: {spelling!r} is not a Comprehend custom model ARN" in refused.stdout, refused.stdout
    assert aws.calls() == []


def test_an_unshare_that_a_resource_policy_would_stop_writes_nothing(aws, playbook):
    """Unsharing removes the key grants first: a resource policy the module may not edit must stop it before them."""
    key, classifier, _recognizer = two_models(aws)
    assert share(playbook, aws, [classifier]).rc == 0
    granted = key_policy(aws, key)
    deny = {"Version": "2012-10-17", "Statement": [{"Sid": "ResourcePolicyForImportModel", "Effect": "Deny",
                                                    "Principal": {"AWS": IMPORTER_ROOT}, "Action": "comprehend:ImportModel",
                                                    "Resource": "*"}]}
    aws.owner.client("comprehend").put_resource_policy(ResourceArn=classifier, ResourcePolicy=json.dumps(deny))
    aws.reset_calls()

    run = share(playbook, aws, [classifier], share_model_state="absent")

    assert run.rc != 0
    assert "is not an Allow statement this module can manage" in run.stdout, run.stdout
    assert aws.write_calls() == []
    assert key_policy(aws, key) == granted


def test_a_healthy_share_shows_no_skipped_tasks_or_warnings(aws, playbook, tmp_path):
    """Every task of a share with a handoff file runs: none is skipped item by item or for the unshare branch."""
    _key, classifier, recognizer = two_models(aws)

    run = share(playbook, aws, [classifier, recognizer], tmp_path)

    assert run.rc == 0, run.stdout
    assert "skipping" not in run.stdout and "skipped=0" in run.stdout, run.stdout
    assert "WARNING" not in run.stdout, run.stdout
