"""End-to-end tests across two accounts: the owner shares with share_model, the importer imports with
import_model from the handoff file, and comprehend_import_model's refusals say what is missing and whose it is.

The two-account imports run under both of the emulator's readings of whose identity KMS sees during ImportModel
(the data access role, or the caller through forward access), with a short but non-zero IAM propagation delay, so
that the service role the play creates is not usable at once.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time

import pytest
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import handoff_entry
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import key_policy_name
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy

from integration.conftest import assume_account

IDENTITIES = ("data_access_role", "forward_access")
PROPAGATION_SECONDS = 0.5
COMPREHEND_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "comprehend.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture(params=IDENTITIES)
def identity(request, aws):
    """The emulator's reading of whose identity KMS sees during ImportModel."""
    aws.set_options(import_kms_identity=request.param, iam_propagation_seconds=PROPAGATION_SECONDS)
    return request.param


def share(playbook, tmp_path, models, principals, account=None, name="handoff.json", **extra):
    handoff = tmp_path / name
    variables = dict({"share_model_arns": models, "share_model_principals": principals,
                      "share_model_handoff_path": str(handoff)}, **extra)
    run = playbook("share/share.yml", account=account, **variables)
    assert run.rc == 0, run.stdout
    return handoff, variables


@pytest.fixture
def shared(aws, playbook, tmp_path, identity):  # pylint: disable=unused-argument
    """The owner's classifier (customer managed key) and recognizer (AWS owned key), shared with the importer."""
    key = aws.create_key(aws.owner)
    classifier = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    recognizer = aws.create_model(aws.owner, model_type="entity-recognizer", name="products", version="v3")
    handoff, variables = share(playbook, tmp_path, [classifier, recognizer], [aws.importer.account_id])
    return {"key": key, "classifier": classifier, "recognizer": recognizer, "handoff": handoff, "variables": variables}


def describe_copy(aws, arn: str, region: str = None) -> dict:
    comprehend = aws.importer.client("comprehend", region=region)
    if ":document-classifier/" in arn:
        return comprehend.describe_document_classifier(DocumentClassifierArn=arn)["DocumentClassifierProperties"]
    return comprehend.describe_entity_recognizer(EntityRecognizerArn=arn)["EntityRecognizerProperties"]


def import_play(aws, playbook, handoff, **variables):
    return playbook("import/import.yml", account=aws.importer, import_model_handoff_path=str(handoff), **variables)


def role_keys(aws, role="seed-comprehend-import"):
    """The keys the service role's inline policies allow, each checked to be in the policy named from it."""
    iam = aws.importer.client("iam")
    keys = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        for statement in iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert name in ("seed-comprehend-model-keys", *(key_policy_name(key) for key in resources)), (name, resources)
            keys += resources
    return sorted(keys)


def import_calls(aws):
    return [call for call in aws.calls() if call["operation"] == "ImportModel"]


def assert_rerun_writes_nothing(aws, playbook, handoff, **variables):
    aws.reset_calls()
    rerun = import_play(aws, playbook, handoff, **variables)
    assert rerun.rc == 0, rerun.stdout
    assert "changed=0" in rerun.stdout, rerun.stdout
    assert aws.write_calls() == []


def test_share_then_import_both_models_and_rerun_both_plays_without_writes(aws, playbook, shared):
    names = {shared["classifier"]: {"model_name": "tickets-copy", "version_name": "v1"}}
    run = import_play(aws, playbook, shared["handoff"], import_model_names=names)
    assert run.rc == 0, run.stdout

    imported = {model["source_model_arn"]: model for model in run.result("imported")}
    assert set(imported) == {shared["classifier"], shared["recognizer"]}
    classifier_copy = imported[shared["classifier"]]["arn"]
    recognizer_copy = imported[shared["recognizer"]]["arn"]
    assert classifier_copy == "arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets-copy/version/v1"
    assert recognizer_copy == "arn:aws:comprehend:us-west-2:444455556666:entity-recognizer/products/version/v3"  # the source's version
    for source, copy in ((shared["classifier"], classifier_copy), (shared["recognizer"], recognizer_copy)):
        properties = describe_copy(aws, copy)
        assert properties["Status"] == "TRAINED"
        assert properties["SourceModelArn"] == source
    role = aws.importer.client("iam").get_role(RoleName="seed-comprehend-import")["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "comprehend.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "444455556666"}}
    assert describe_copy(aws, classifier_copy)["DataAccessRoleArn"] == role["Arn"]

    aws.reset_calls()
    assert playbook("share/share.yml", **shared["variables"]).rc == 0
    assert_rerun_writes_nothing(aws, playbook, shared["handoff"], import_model_names=names)


def test_a_service_role_with_the_old_trust_policy_is_updated(aws, playbook, shared):
    iam = aws.importer.client("iam")
    iam.create_role(RoleName="seed-comprehend-import", AssumeRolePolicyDocument=json.dumps(COMPREHEND_TRUST),
                    Description="Lets Amazon Comprehend use the KMS keys of imported custom models")
    run = import_play(aws, playbook, shared["handoff"])
    assert run.rc == 0, run.stdout
    trust = iam.get_role(RoleName="seed-comprehend-import")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "444455556666"}}
    assert "UpdateAssumeRolePolicy" in [call["operation"] for call in aws.write_calls(aws.importer.account_id)]


def test_import_shared_with_a_role_a_user_and_an_account_under_a_customer_managed_key(aws, playbook, tmp_path, identity):
    key = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    principals = [aws.create_role(aws.importer, "ModelImporter", path="/teams/"),
                  aws.create_user(aws.importer, "jane"), aws.importer.account_id]
    handoff, _variables = share(playbook, tmp_path, [model], principals)
    run = import_play(aws, playbook, handoff)
    assert run.rc == 0, f"{identity}: {run.stdout}"
    (copy,) = run.result("imported")
    assert copy["status"] == "TRAINED" and copy["source_model_arn"] == model


def test_a_handoff_of_two_regions_imports_each_model_in_its_region(aws, playbook, tmp_path, identity):  # pylint: disable=unused-argument
    models = []
    for region in ("us-west-2", "eu-west-1"):
        owner = dataclasses.replace(aws.owner, region=region)
        models.append(aws.create_model(owner, name=f"tickets-{region}", version="v1", kms_key_id=aws.create_key(owner)))
    handoff, _variables = share(playbook, tmp_path, models, [aws.importer.account_id])  # one play, both regions
    entries = json.loads(handoff.read_text(encoding="utf-8"))
    assert sorted(entry["region"] for entry in entries) == ["eu-west-1", "us-west-2"]

    run = import_play(aws, playbook, handoff)
    assert run.rc == 0, run.stdout
    copies = {model["arn"]: model for model in run.result("imported")}
    assert sorted(copies) == [
        "arn:aws:comprehend:eu-west-1:444455556666:document-classifier/tickets-eu-west-1/version/v1",
        "arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets-us-west-2/version/v1"]
    for arn, model in copies.items():
        assert model["status"] == "TRAINED" and describe_copy(aws, arn, region=arn.split(":")[3])["Status"] == "TRAINED"
    assert role_keys(aws) == sorted(entry["kms_key_arn"] for entry in entries)
    assert_rerun_writes_nothing(aws, playbook, handoff)


@pytest.mark.parametrize("copy_arn", ("name_only", "generated_version"))
def test_a_copy_without_version_is_found_by_its_source(aws, playbook, tmp_path, copy_arn):
    aws.set_options(unversioned_copy_arn=copy_arn, iam_propagation_seconds=PROPAGATION_SECONDS)
    model = aws.create_model(aws.owner, name="tickets")  # no version: the copy gets none either
    handoff, _variables = share(playbook, tmp_path, [model], [aws.importer.account_id])
    run = import_play(aws, playbook, handoff)
    assert run.rc == 0, run.stdout
    (copy,) = run.result("imported")
    assert copy["source_model_arn"] == model and copy["status"] == "TRAINED"
    assert copy["arn"].startswith("arn:aws:comprehend:us-west-2:444455556666:document-classifier/tickets")
    assert_rerun_writes_nothing(aws, playbook, handoff)


def test_kms_validation_is_retried_while_the_new_service_role_propagates(aws, playbook, shared, identity):
    aws.set_options(iam_propagation_seconds=6)  # longer than the play takes from the role to ImportModel
    run = import_play(aws, playbook, shared["handoff"])
    assert run.rc == 0, f"{identity}: {run.stdout}"
    # The recognizer (AWS owned key) is imported at the first call, the classifier once the role is visible.
    statuses = [call["status"] for call in import_calls(aws) if call["account"] == aws.importer.account_id]
    assert statuses.count(200) == 2 and statuses.count(400) >= 1, statuses


@pytest.mark.parametrize("identity", ["data_access_role"], indirect=True)  # under forward access KMS doesn't use the role
def test_a_role_lacking_the_key_in_its_own_policy_is_named(aws, playbook, shared):
    other = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000"
    role = aws.create_role(aws.importer, "narrow-import", trust=COMPREHEND_TRUST, policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": other}]})
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=shared["classifier"],
                   source_kms_key_arn=shared["key"], data_access_role_arn=role, kms_validation_retry_timeout=60)
    assert run.rc != 0
    assert (f"the service role {role} lacks, in its own IAM policies, kms:CreateGrant, kms:Decrypt, kms:GenerateDataKey "
            f"on {shared['key']}") in run.stdout, run.stdout
    assert len(import_calls(aws)) == 1, "a role that plainly lacks the key is not retried"


def test_an_owner_key_policy_not_naming_the_importer_is_named(aws, playbook, shared, identity):
    only_classifier = dict(shared["variables"], share_model_arns=[shared["classifier"]])
    revoke = playbook("share/share.yml", **dict(only_classifier, share_model_state="absent"))
    assert revoke.rc == 0, revoke.stdout
    # The resource policy alone, without the key grant.
    reshare = playbook("share/share.yml", **dict(only_classifier, share_model_manage_kms=False))
    assert reshare.rc == 0, reshare.stdout
    run = import_play(aws, playbook, shared["handoff"], import_model_kms_validation_retry_timeout=3)
    assert run.rc != 0
    assert (f"KMS refused the import of {shared['classifier']} for " in run.stdout
            and "the service role's own policies allow the keys, so the owner's key policy of "
            f"{shared['key']} (account 111122223333) doesn't let your service role" in run.stdout), f"{identity}: {run.stdout}"


def test_import_refused_for_an_account_the_policy_does_not_name(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1")
    assert playbook("share/share.yml", share_model_arns=[model], share_model_principals=["123456789012"]).rc == 0
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=model)
    assert run.rc != 0
    assert (f"account 444455556666 is not authorised to import {model}: the owner (account 111122223333) must share it"
            in run.stdout), run.stdout
    assert [call for call in aws.write_calls(aws.importer.account_id) if call["fault"] is None and call["status"] < 300] == []


@pytest.mark.parametrize("variables, message", [
    ({"import_region": "eu-west-1"}, "the source model is in us-west-2 and a model can only be imported in its own region"),
    ({"model_kms_key_id": "alias/comprehend-models"},
     "model_kms_key_id: 'alias/comprehend-models' is an alias or no key at all; ImportModel takes a key ID or key ARN only"),
])
def test_bad_input_is_refused_before_any_call(aws, playbook, variables, message):
    source = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1"
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=source, **variables)
    assert run.rc != 0
    assert message in run.stdout, run.stdout
    assert [call for call in aws.calls() if call["service"] == "comprehend"] == []


@pytest.mark.parametrize("variable, value", [
    ("import_model_wait_timeout", -1), ("import_model_poll_delay", 0), ("import_model_kms_validation_retry_timeout", -1)])
def test_bad_timing_variables_are_refused_before_the_service_role_is_written(aws, playbook, tmp_path, variable, value):
    # A model under a customer managed key, so that the play would write the service role first; it must stop before
    # any AWS call, so neither the model nor the key needs to exist.
    model = {"arn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1",
             "encryption": {"key_type": "customer_managed",
                            "kms_key_arn": "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
    handoff = tmp_path / "handoff.json"
    handoff.write_text(json.dumps([handoff_entry(model, [aws.importer.account_id], None)]), encoding="utf-8")
    run = import_play(aws, playbook, handoff, **{variable: value})
    timing = dict({"import_model_wait_timeout": 1800, "import_model_kms_validation_retry_timeout": 60,
                   "import_model_poll_delay": 1}, **{variable: value})  # the role's defaults and the playbook's poll delay
    assert run.rc != 0
    assert ("import_model_poll_delay at least 1, got {import_model_wait_timeout}, {import_model_kms_validation_retry_timeout} "
            "and {import_model_poll_delay}".format(**timing)) in run.stdout, run.stdout
    assert aws.write_calls(aws.importer.account_id) == []


def test_name_already_used_for_another_source_is_a_failure(aws, playbook, shared):
    own = aws.create_model(aws.importer, name="tickets", version="v1")
    run = playbook("import/module.yml", account=aws.importer, source_model_arn=shared["classifier"],
                   model_name="tickets", version_name="v1",
                   data_access_role_arn="arn:aws:iam::444455556666:role/unused")
    assert run.rc != 0
    assert f"{own} already exists and was not imported from {shared['classifier']}" in run.stdout, run.stdout


THIRD_OWNER = "777788889999"


@pytest.fixture
def two_owners(aws, playbook, tmp_path):
    """Two owners' classifiers under their own customer managed keys, each shared with the importer in its own handoff."""
    aws.set_options(iam_propagation_seconds=PROPAGATION_SECONDS)
    handoffs, keys = [], []
    for number, owner in enumerate((aws.owner, assume_account(aws.url, THIRD_OWNER))):
        key = aws.create_key(owner)
        model = aws.create_model(owner, name=f"tickets-{number}", version="v1", kms_key_id=key)
        handoff, _variables = share(playbook, tmp_path, [model], [aws.importer.account_id], account=owner,
                                    name=f"handoff-{number}.json")
        handoffs.append(handoff)
        keys.append(key)
    return handoffs, keys


def test_a_second_owners_import_keeps_the_first_owners_key_until_purged(aws, playbook, two_owners):
    (first, second), keys = two_owners
    for handoff in (first, second):
        run = import_play(aws, playbook, handoff)
        assert run.rc == 0, run.stdout
    assert role_keys(aws) == sorted(keys)
    assert_rerun_writes_nothing(aws, playbook, first)

    purged = import_play(aws, playbook, second, import_model_purge_role_keys=True)
    assert purged.rc == 0, purged.stdout
    assert role_keys(aws) == [keys[1]]
    assert_rerun_writes_nothing(aws, playbook, second, import_model_purge_role_keys=True)


def test_two_owners_imports_at_the_same_time_keep_both_keys(aws, playbook, two_owners):
    handoffs, keys = two_owners
    runs = {}

    def run(handoff):
        runs[handoff] = import_play(aws, playbook, handoff)

    threads = [threading.Thread(target=run, args=(handoff,)) for handoff in handoffs]
    for thread in threads:
        thread.start()
        time.sleep(0.5)  # the playbook fixture names each run's directory when it starts; the plays still overlap
    for thread in threads:
        thread.join()
    for handoff in handoffs:
        assert runs[handoff].rc == 0, runs[handoff].stdout
    assert role_keys(aws) == sorted(keys)


def test_the_0_1_0_key_policy_is_kept_unless_purged(aws, playbook, shared):
    iam = aws.importer.client("iam")
    old_key = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000"
    iam.create_role(RoleName="seed-comprehend-import", AssumeRolePolicyDocument=json.dumps(COMPREHEND_TRUST))
    iam.put_role_policy(RoleName="seed-comprehend-import", PolicyName="seed-comprehend-model-keys",
                        PolicyDocument=json.dumps(importer_role_policy([old_key])))
    assert import_play(aws, playbook, shared["handoff"]).rc == 0
    assert role_keys(aws) == sorted([old_key, shared["key"]])
    run = import_play(aws, playbook, shared["handoff"], import_model_purge_role_keys=True)
    assert run.rc == 0, run.stdout
    assert role_keys(aws) == [shared["key"]]


def tampered(handoff, **change):
    return [dict(entry, **change) if entry["key_type"] == "customer_managed" else entry
            for entry in json.loads(handoff.read_text(encoding="utf-8"))]


OTHER_ACCOUNT_KEY = "arn:aws:kms:us-west-2:999999999999:key/00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("identity", ["data_access_role"], indirect=True)
@pytest.mark.parametrize("handoff_text, message", [
    (lambda handoff: json.dumps(tampered(handoff, kms_key_arn=OTHER_ACCOUNT_KEY,
                                         importer_role_policy=importer_role_policy([OTHER_ACCOUNT_KEY]))),
     f"handoff kms_key_arn {OTHER_ACCOUNT_KEY} is not a key of the model's account 111122223333"),
    (lambda handoff: json.dumps(tampered(handoff, importer_role_policy=importer_role_policy([OTHER_ACCOUNT_KEY]))),
     "importer_role_policy of arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1 is not the policy"),
    (lambda handoff: json.dumps(tampered(handoff, schema_version=True)), "handoff schema_version True is not supported"),
    (lambda handoff: json.dumps(tampered(handoff, note="hello")), "has unknown fields note"),
    (lambda handoff: "[]", "holds no handoff entry, so there is nothing to import"),
    (lambda handoff: "{}", "holds no handoff entry, so there is nothing to import"),
    (lambda handoff: "", "is empty; expected the JSON handoff"),
    (lambda handoff: "model_arn: x", "is not JSON"),
    (lambda handoff: "42", "must be a list of handoff entries or one entry, got int"),
])
def test_a_tampered_or_empty_handoff_file_is_refused_before_any_write(aws, playbook, shared, tmp_path, handoff_text, message):
    handoff = tmp_path / "tampered.json"
    handoff.write_text(handoff_text(shared["handoff"]), encoding="utf-8")
    aws.reset_calls()
    run = import_play(aws, playbook, handoff)
    assert run.rc != 0
    assert message in run.stdout, run.stdout
    assert "Traceback" not in run.stdout, run.stdout
    assert aws.write_calls(aws.importer.account_id) == []
    assert import_calls(aws) == []


def test_an_empty_inline_handoff_is_refused(aws, playbook):
    run = playbook("import/import.yml", account=aws.importer)  # neither import_model_handoff nor a path
    assert run.rc != 0
    assert "import_model_handoff holds no handoff entry, so there is nothing to import" in run.stdout, run.stdout
    assert aws.write_calls(aws.importer.account_id) == []


def copy_tags(aws, arn: str) -> dict:
    listed = aws.importer.client("comprehend").list_tags_for_resource(ResourceArn=arn)["Tags"]
    return {tag["Key"]: tag["Value"] for tag in listed}


def tag_writes(aws):
    return [call["operation"] for call in aws.write_calls(aws.importer.account_id) if call["operation"] in ("TagResource", "UntagResource")]


def test_tags_are_reconciled_on_every_run(aws, playbook):
    model = aws.create_model(aws.owner, name="tickets", version="v1")
    assert playbook("share/share.yml", share_model_arns=[model], share_model_principals=[aws.importer.account_id]).rc == 0
    copy = f"arn:aws:comprehend:us-west-2:{aws.importer.account_id}:document-classifier/tickets/version/v1"

    def run(tags, check=False, **variables):
        done = playbook("import/module.yml", account=aws.importer, source_model_arn=model, version_name="v1", tags=tags,
                        check=check, diff=True, **variables)
        assert done.rc == 0, done.stdout
        return done.result("imported")

    created = run({"team": "mlops", "env": "test"})
    assert (created["changed"], created["tags"], copy_tags(aws, copy)) == (True, {"team": "mlops", "env": "test"}, {"team": "mlops", "env": "test"})
    assert tag_writes(aws) == [], "ImportModel tags a new copy itself"

    rerun = run({"team": "mlops", "env": "test"})
    assert (rerun["changed"], rerun["tags"], tag_writes(aws)) == (False, {"team": "mlops", "env": "test"}, [])

    checked = run({"team": "data", "owner": "ana"}, check=True)
    assert checked["changed"] and checked["tags"] == {"team": "data", "owner": "ana"}
    assert checked["diff"]["before"]["tags"] == {"team": "mlops", "env": "test"}
    assert (copy_tags(aws, copy), tag_writes(aws)) == ({"team": "mlops", "env": "test"}, []), "check mode writes nothing"

    changed = run({"team": "data", "owner": "ana"})
    assert (changed["changed"], changed["tags"]) == (True, {"team": "data", "owner": "ana"})
    assert copy_tags(aws, copy) == {"team": "data", "owner": "ana"}, "team changed, owner added, env purged"
    assert tag_writes(aws) == ["UntagResource", "TagResource"]

    kept = run({"cost": "42"}, purge_tags=False)
    assert (kept["changed"], kept["tags"]) == (True, {"team": "data", "owner": "ana", "cost": "42"})
    assert copy_tags(aws, copy) == {"team": "data", "owner": "ana", "cost": "42"}, "purge_tags false keeps the others"

    purged = run({})
    assert (purged["changed"], purged["tags"], copy_tags(aws, copy)) == (True, {}, {})
    untouched = playbook("import/module.yml", account=aws.importer, source_model_arn=model, version_name="v1")
    assert untouched.rc == 0 and not untouched.result("imported")["changed"], untouched.stdout
    assert "tags" not in untouched.result("imported"), "without tags the copy's tags are neither read nor returned"
