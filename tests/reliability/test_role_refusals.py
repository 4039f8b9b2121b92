"""End-to-end confirmation of what the role fuzzing (test_bad_input.py) finds: input a role can't use must be
refused before the role's first write, with a message naming the option. Real ansible-playbook runs against the
emulator, judged by the emulator's call log."""

from __future__ import annotations

import json
from typing import Any, Dict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy

from fake_aws import FakeAws
from helpers import IMPORTER, OWNER
from inprocess import simulate_import_model, validate_role_arguments


def served_writes(aws, account):
    return [f"{call['service']}:{call['operation']}" for call in aws.write_calls(account) if call["status"] < 400]


def judge_refusal(figures, target, run, writes, named, refused_what):
    """Record and assert one end-to-end refusal: the run failed, wrote nothing first, and named the option."""
    row = {"target": target, "cases": 1, "refused": int(run.rc != 0), "writes before a refusal": len(writes),
           "refusals not naming an option": int(run.rc != 0 and not named)}
    role = target.split(",", 1)[0]
    figures.add("bad-input", row, run.rc != 0 and not writes and named,
                [f"{role} wrote {', '.join(writes)} before refusing {refused_what}"] if writes else [])
    assert run.rc != 0 and named, run.stdout[-2000:]
    assert writes == [], f"the role wrote {writes} before refusing the input"


def test_share_model_refuses_a_service_principal_before_writing(aws, playbook, figures):
    """A service principal is a valid principal of a model's resource policy but not of a key policy grant: with a
    model under a customer managed key, the role must refuse it before it writes the resource policy."""
    key = aws.create_key(aws.owner)
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=key)
    aws.reset_calls()
    run = playbook("share/share.yml", share_model_arns=[model], share_model_principals=[IMPORTER, "comprehend.amazonaws.com"])
    judge_refusal(figures, "share_model role, e2e: a service principal with a customer managed key", run,
                  served_writes(aws, OWNER), "principals" in run.stdout and "comprehend.amazonaws.com" in run.stdout,
                  "the service principal")


def importer_handoff(aws, model, key_type="aws_owned", kms_key_arn=None):
    entry = {"schema_version": 1, "model_arn": model, "model_type": "document_classifier", "region": "us-west-2",
             "source_account": OWNER, "principals": [IMPORTER], "key_type": key_type}
    if kms_key_arn is not None:
        entry["kms_key_arn"] = kms_key_arn
    return [entry]


def shared_model(aws, kms_key_id=None):
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=kms_key_id)
    aws.owner.client("comprehend").put_resource_policy(ResourceArn=model, ResourcePolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "ResourcePolicyForImportModel", "Effect": "Allow",
                                                "Action": "comprehend:ImportModel", "Resource": "*",
                                                "Principal": {"AWS": f"arn:aws:iam::{IMPORTER}:root"}}]}))
    return model


def test_import_model_refuses_a_key_that_is_not_an_arn_before_writing(aws, playbook, figures):
    """import_model_kms_key_arn must be a KMS key ARN; anything else must be refused before the service role is made."""
    model = shared_model(aws)
    aws.reset_calls()
    run = playbook("import/import.yml", account=aws.importer, import_model_handoff=importer_handoff(aws, model),
                   import_model_kms_key_arn="alias/my-key")
    judge_refusal(figures, "import_model role, e2e: import_model_kms_key_arn not an ARN", run, served_writes(aws, IMPORTER),
                  "import_model_kms_key_arn" in run.stdout, "import_model_kms_key_arn='alias/my-key'")


def test_import_model_refuses_a_handoff_key_that_is_not_an_arn_before_writing(aws, playbook, figures):
    """A handoff entry whose kms_key_arn is not a string (a damaged or hand-edited handoff file) must be refused by
    checked_handoff, naming the field, not fail later inside the importer_role_policy filter."""
    model = shared_model(aws)
    aws.reset_calls()
    run = playbook("import/import.yml", account=aws.importer,
                   import_model_handoff=importer_handoff(aws, model, "customer_managed", {"arn": "arn:aws:kms:us-west-2:111122223333:key/x"}))
    judge_refusal(figures, "import_model role, e2e: handoff kms_key_arn not a string", run, served_writes(aws, IMPORTER),
                  "kms_key_arn" in run.stdout, "a handoff kms_key_arn that is a mapping")


def test_import_model_two_versions_of_one_model_without_names(aws, playbook, figures):
    """Two versions of one classifier in the handoff and no import_model_names: the copies' default names (the
    source's name, no version) are the same. The role must either import both under distinct names or refuse before
    the first import, naming import_model_names; importing one and then failing on the other leaves half the work."""
    first = aws.create_model(aws.owner, name="tickets", version="v1")
    second = aws.create_model(aws.owner, name="tickets", version="v2")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
        "Principal": {"AWS": f"arn:aws:iam::{IMPORTER}:root"}}]})
    for model in (first, second):
        aws.owner.client("comprehend").put_resource_policy(ResourceArn=model, ResourcePolicy=policy)
    aws.reset_calls()
    run = playbook("import/import.yml", account=aws.importer,
                   import_model_handoff=importer_handoff(aws, first) + importer_handoff(aws, second))
    writes = served_writes(aws, IMPORTER)
    copies = aws.importer.client("comprehend").list_document_classifiers()["DocumentClassifierPropertiesList"]
    sources = sorted(copy.get("SourceModelArn", "") for copy in copies)
    imported_both = run.rc == 0 and sources == sorted([first, second])
    refused_cleanly = run.rc != 0 and not writes and "import_model_names" in run.stdout
    row = {"target": "import_model role, e2e: two versions of one model, no import_model_names", "cases": 1,
           "accepted": int(imported_both), "refused": int(run.rc != 0),
           "writes before a refusal": len(writes) if run.rc != 0 else 0,
           "refusals not naming an option": int(run.rc != 0 and "import_model_names" not in run.stdout)}
    figures.add("bad-input", row, imported_both or refused_cleanly,
                [] if imported_both or refused_cleanly else
                [f"import_model role imported {len(copies)} of 2 versions ({', '.join(writes)}) and then failed: the copies' "
                 "default names collide"])
    assert imported_both or refused_cleanly, (run.rc, writes, sources, run.stdout[-1500:])


SOURCE_KEY = f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# A key the handoff must never bring into the service role's policy: another account's, or another region's.
FOREIGN_KEYS = [SOURCE_KEY.replace(OWNER, "999988887777"), SOURCE_KEY.replace("us-west-2", "eu-west-1"),
                SOURCE_KEY.replace(OWNER, IMPORTER)]


def sound_entry(key_type: str = "customer_managed") -> Dict[str, Any]:
    entry = {"schema_version": 1, "model_arn": f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1",
             "model_type": "document_classifier", "region": "us-west-2", "source_account": OWNER, "principals": [IMPORTER],
             "key_type": key_type}
    if key_type == "customer_managed":
        entry.update(kms_key_arn=SOURCE_KEY, key_principals=[f"arn:aws:iam::{IMPORTER}:root"])
    entry["importer_role_policy"] = importer_role_policy([SOURCE_KEY] if key_type == "customer_managed" else [])
    return entry


@st.composite
def tampered_entries(draw) -> Dict[str, Any]:
    """A sound entry with one tampering: a boolean where an integer belongs, or a key of another account or region
    (with the importer_role_policy that would go with it, as a careful attacker would write)."""
    entry = sound_entry(draw(st.sampled_from(["customer_managed", "aws_owned"])))
    if draw(st.booleans()):
        entry["schema_version"] = True
    else:
        key = draw(st.sampled_from(FOREIGN_KEYS))
        entry.update(key_type="customer_managed", kms_key_arn=key, importer_role_policy=importer_role_policy([key]))
    return entry


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(tampered=tampered_entries(), position=st.integers(min_value=0, max_value=2), own_key=st.booleans())
def test_import_model_refuses_tampered_handoffs_before_any_write(tampered, position, own_key):
    """However it is placed among sound entries, a tampered entry stops the import play before its first write, with
    a message naming the handoff field; the foreign key never reaches the service role's policy."""
    sound = sound_entry("aws_owned")
    handoff = [dict(sound, model_arn=sound["model_arn"].replace("tickets", f"other{index}")) for index in range(2)]
    handoff.insert(position, tampered)
    arguments = {"import_model_handoff": handoff, "import_model_aws": {"region": "us-west-2"}}
    if own_key:
        arguments["import_model_kms_key_arn"] = f"arn:aws:kms:us-west-2:{IMPORTER}:key/abcd"
    world = FakeAws(caller_account=IMPORTER)
    run = simulate_import_model(validate_role_arguments("import_model", arguments).validated_parameters, world)
    assert run.failed_step == "Read and check the handoff, and name the copies", (run.failed_step, run.message)
    assert run.traceback is None and world.writes == [], run.message
    assert "schema_version True" in run.message or "handoff kms_key_arn" in run.message, run.message


def test_import_model_refuses_a_boolean_schema_version_and_a_cross_account_key_before_writing(aws, playbook, figures):
    """End to end: schema_version true (True == 1 in Python) and a key of another account, each refused before the
    service role or any import is written."""
    model = shared_model(aws, kms_key_id=aws.create_key(aws.owner))
    foreign_key = aws.create_key(aws.importer)  # a real key, of the importer's account: not the model's
    for change, named in (({"schema_version": True}, "schema_version True"),
                          ({"kms_key_arn": foreign_key, "importer_role_policy": importer_role_policy([foreign_key])},
                           f"handoff kms_key_arn {foreign_key} is not a key of the model's account {OWNER}")):
        entry = dict(sound_entry(), model_arn=model, **change)
        aws.reset_calls()
        run = playbook("import/import.yml", account=aws.importer, import_model_handoff=[entry])
        judge_refusal(figures, f"import_model role, e2e: handoff {', '.join(change)} tampered", run,
                      served_writes(aws, IMPORTER), named in run.stdout, f"a handoff with {', '.join(change)} tampered")
