"""Bad input to the roles, end to end: the real roles run by ansible-playbook against the emulator, judged by the
emulator's call log. Input a role can't use must be refused before the role's first write, with a message naming
the option (or the handoff field) at fault; a model AWS says can't be shared fails on AWS's state, writing nothing.

The cases are chosen, a handful per kind of mistake: principals (IAM's naming rules, wildcards, service principals,
another partition), model ARNs, tampered handoffs (a boolean schema_version, keys of another account or region,
fields added, dropped or changed), and role options of the wrong type or out of bounds. One ansible-playbook process
runs all the cases of a role, one play per case (playbooks/role_case.yml): each play runs the role with the case's
variables and nothing else, and notes where the role stopped and the calls the emulator logged meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import yaml

from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy

from helpers import IMPORTER, IMPORTER_ROOT, OWNER, PLAYBOOKS, REGION
from refusals import STATE_FAILURE, RunOutcome, Tally, names_an_option


@dataclass(frozen=True)
class RoleCase:
    """One bad input to a role: the role variables it changes, and what the run must end with."""

    what: str
    variables: Dict[str, Any]
    names: Tuple[str, ...]  # the message names one of these: an option or a handoff field, or the model AWS won't share
    state_failure: bool = False  # AWS answers about its state instead of a refusal
    group: str = ""  # the report row, after the role's name


def failure_message(result: Dict[str, Any]) -> str:
    """The message of a failed task, and of each failed item of a loop."""
    items = [item.get("msg", "") for item in result.get("results", []) if isinstance(item, dict) and item.get("failed")]
    return " | ".join(str(message) for message in [result.get("msg", "")] + items if message)


def saved_outcome(saved: Dict[str, Any]) -> RunOutcome:
    """A case's outcome as role_case.yml saved it."""
    failure = saved["failure"]
    if failure is None:
        return RunOutcome(False, "", "", saved["calls"])
    result = failure["result"]
    text = json.dumps(result)
    crashed = "MODULE FAILURE" in text or "Traceback (most recent call last)" in text
    return RunOutcome(True, failure_message(result), text[:600] if crashed else "", saved["calls"], where=failure["task"])


def run_cases(playbook, tmp_path, aws, role: str, account: Any, common: Dict[str, Any], cases: List[RoleCase]) -> List[RunOutcome]:
    """Run every case in one ansible-playbook process, as ``account``: one play per case with ``common`` and the
    case's variables (the case's win), then one that saves their outcomes. The batch itself must go through: each
    case's failure is rescued."""
    plays = []
    for index, case in enumerate(cases):
        variables = dict(common, **case.variables)
        variables.update(case_role=f"seed.comprehend.{role}", emulator_url=aws.url)
        plays.append({"name": f"Case {index}: {case.what}", "hosts": "localhost", "gather_facts": False,
                      "module_defaults": {"group/seed.comprehend.aws": "{{ aws_connection }}"}, "vars": variables,
                      "tasks": [{"name": "Run the case", "ansible.builtin.import_tasks": str(PLAYBOOKS / "role_case.yml")}]})
    plays.append({"name": "Save the cases' outcomes", "hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "Save them", "ansible.builtin.copy": {"content": "{{ role_cases | to_json }}", "dest": "{{ output_dir }}/cases.json",
                                                      "mode": "0600"}}]})
    path = tmp_path / f"{role}-cases.yml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False, allow_unicode=True), encoding="utf-8")
    run = playbook(str(path), account=account)
    assert run.rc == 0, run.stdout[-3000:]
    saved = json.loads((run.output_dir / "cases.json").read_text(encoding="utf-8"))
    assert len(saved) == len(cases), run.stdout[-3000:]
    return [saved_outcome(outcome) for outcome in saved]


def judge_cases(figures, role: str, cases: List[RoleCase], outcomes: List[RunOutcome]) -> None:
    """Record one report row per group of cases and assert each case ended as it must."""
    wrong: List[str] = []
    tallies: Dict[str, Tally] = {}
    for case, outcome in zip(cases, outcomes):
        tally = tallies.setdefault(case.group, Tally([]))
        tally.judge(case.variables, outcome, list(case.names))
        state_failure = outcome.failed and bool(STATE_FAILURE.search(outcome.message))
        # Tally checks the names of refusals; an AWS state failure must name the model too.
        if not outcome.failed or state_failure != case.state_failure or not names_an_option(outcome.message, case.names):
            wrong.append(f"{role}, {case.what}: expected {'an AWS state failure' if case.state_failure else 'a refusal'} naming "
                         f"{' or '.join(case.names)}, got "
                         f"{'a failure: ' + outcome.told[:300] if outcome.failed else 'a run that went through'}")
    for group, tally in tallies.items():
        target = f"{role} role{': ' + group if group else ''}"
        figures.add("bad-input", tally.row(target), tally.ok and not tally.counts["accepted"], tally.notes(target))
    assert not wrong, wrong
    assert all(tally.ok for tally in tallies.values()), {group: tally.examples for group, tally in tallies.items()}


# ------------------------------------------------------------------------------------------------ share_model


def bad_principal(principal: str, what: str) -> RoleCase:
    return RoleCase(f"principal {principal!r} ({what})", {"share_model_principals": [IMPORTER, principal]},
                    ("share_model_principals",), group="principals breaking IAM's naming rules")


def share_cases(models: Dict[str, str]) -> List[RoleCase]:
    """The share_model role's cases; ``models`` are the owner's by name."""
    missing = models["tickets"].replace("tickets", "nosuchmodel")
    return [
        bad_principal(f"arn:aws:iam::{IMPORTER}:user/j\u00e9", "a non-ASCII letter in the name"),
        bad_principal(f"arn:aws:iam::{IMPORTER}:role/t\u00e9am/Importer", "a non-ASCII letter in the path"),
        bad_principal(f"arn:aws:iam::{IMPORTER}:role/te*am/Importer", "a wildcard in the path"),
        bad_principal(f"arn:aws:iam::{IMPORTER}:role/Import*er", "a wildcard in the name"),
        bad_principal(f"arn:aws:iam::{IMPORTER}:role/{'r' * 65}", "a name over 64 characters"),
        # A service principal may import a model but can't be named in a key policy grant.
        RoleCase("a service principal, a model under a customer managed key",
                 {"share_model_principals": [IMPORTER, "comprehend.amazonaws.com"]}, ("share_model_principals",)),
        RoleCase("the wildcard principal", {"share_model_principals": ["*"]}, ("share_model_principals",)),
        RoleCase("a principal of another partition", {"share_model_principals": [f"arn:aws-cn:iam::{IMPORTER}:root"]},
                 ("share_model_principals",)),
        RoleCase("no principal", {"share_model_principals": []}, ("share_model_principals",)),
        RoleCase("a model ARN that is none", {"share_model_arns": ["tickets"]}, ("share_model_arns",)),
        RoleCase("models of two partitions", {"share_model_arns": [models["tickets"], models["tickets"].replace(":aws:", ":aws-cn:")]},
                 ("share_model_arns",)),
        RoleCase("a service principal as key principal", {"share_model_key_principals": ["comprehend.amazonaws.com"]},
                 ("share_model_key_principals",)),
        RoleCase("the wildcard as key principal", {"share_model_key_principals": ["*"]}, ("share_model_key_principals",)),
        RoleCase("share_model_state neither present nor absent", {"share_model_state": "shared"}, ("share_model_state",)),
        RoleCase("share_model_purge_principals not a boolean", {"share_model_purge_principals": "maybe"}, ("share_model_purge_principals",)),
        RoleCase("a key policy size limit no grant fits in", {"share_model_key_policy_size_limit": 100},
                 ("share_model_key_policy_size_limit", "policy_size_limit")),
        RoleCase("a handoff path in a directory that doesn't exist", {"share_model_handoff_path": "/nonexistent/handoff.json"},
                 ("share_model_handoff_path",)),
        RoleCase("share_model_aws not a dictionary", {"share_model_aws": REGION}, ("share_model_aws",)),
        RoleCase("a model still training", {"share_model_arns": [models["training"]]}, (models["training"],), state_failure=True),
        RoleCase("a model under an AWS managed key", {"share_model_arns": [models["managed"]]}, (models["managed"],), state_failure=True),
        RoleCase("a model that doesn't exist", {"share_model_arns": [missing]}, (missing,), state_failure=True),
    ]


def test_share_model_refuses_bad_input_before_writing(aws, playbook, tmp_path, figures):
    """Each case runs the share_model role on two models (one under a customer managed key) with one mistake; as
    given, the role would write both resource policies and the key policy."""
    key = aws.create_key(aws.owner)
    models = {"tickets": aws.create_model(aws.owner, name="tickets", version="v1"),
              "cmk": aws.create_model(aws.owner, name="cmk", version="v1", kms_key_id=key),
              "training": aws.create_model(aws.owner, name="training", version="v1", status="TRAINING"),
              "managed": aws.create_model(aws.owner, name="managed", version="v1", kms_key_id="alias/aws/comprehend")}
    common = {"share_model_arns": [models["tickets"], models["cmk"]], "share_model_principals": [IMPORTER]}
    cases = share_cases(models)
    judge_cases(figures, "share_model", cases, run_cases(playbook, tmp_path, aws, "share_model", aws.owner, common, cases))


# ------------------------------------------------------------------------------------------------ import_model

# A resource policy that lets the importer's account import the model.
SHARED_WITH_IMPORTER = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
    "Principal": {"AWS": IMPORTER_ROOT}}]}


@dataclass
class ImportWorld:
    """Models the owner shared with the importer, and the handoff entries that describe them truly."""

    key: str
    sound: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # model name -> its handoff entry

    def handoff(self, tampered: Optional[Dict[str, Any]] = None, position: int = 0) -> List[Dict[str, Any]]:
        """The sound entries of the models under AWS owned keys, with ``tampered`` at ``position``."""
        entries = [entry for name, entry in self.sound.items() if name != "cmk"]
        if tampered is not None:
            entries.insert(position % (len(entries) + 1), tampered)
        return entries


def shared_models(aws) -> ImportWorld:
    """A model under a customer managed key and two under AWS owned keys, shared with the importer's account."""
    world = ImportWorld(aws.create_key(aws.owner))
    for name in ("cmk", "tickets", "people"):
        arn = aws.create_model(aws.owner, name=name, version="v1", kms_key_id=world.key if name == "cmk" else None,
                               policy=SHARED_WITH_IMPORTER)
        entry = {"schema_version": 1, "model_arn": arn, "model_type": "document_classifier", "region": REGION,
                 "source_account": OWNER, "principals": [IMPORTER_ROOT], "key_type": "aws_owned"}
        if name == "cmk":
            entry.update(key_type="customer_managed", kms_key_arn=world.key, key_principals=[IMPORTER_ROOT],
                         importer_role_policy=importer_role_policy([world.key]))
        world.sound[name] = entry
    return world


def tampered(world: ImportWorld, what: str, change: Dict[str, Any], names: Tuple[str, ...], index: int,
             dropped: Tuple[str, ...] = ()) -> RoleCase:
    """The customer managed key's entry with one tampering, placed among the sound entries at a place that moves
    from case to case."""
    entry = {key: value for key, value in dict(world.sound["cmk"], **change).items() if key not in dropped}
    return RoleCase(f"handoff: {what}", {"import_model_handoff": world.handoff(entry, index)}, names, group="tampered handoffs")


def import_cases(world: ImportWorld, importer_key: str) -> List[RoleCase]:
    """The import_model role's cases: tampered handoffs, then mistakes in the role's options."""
    key = world.key
    foreign_keys = {"of another account": key.replace(OWNER, "999988887777"), "of another region": key.replace(REGION, "eu-west-1"),
                    "of the importer's account": importer_key}
    changes = [("schema_version true", {"schema_version": True}, ("schema_version",)),
               ("schema_version 2", {"schema_version": 2}, ("schema_version",))]
    changes += [(f"kms_key_arn {what}", {"kms_key_arn": arn, "importer_role_policy": importer_role_policy([arn])}, ("kms_key_arn",))
                for what, arn in foreign_keys.items()]
    changes += [("kms_key_arn a mapping", {"kms_key_arn": {"arn": key}}, ("kms_key_arn",)),
                ("an importer_role_policy for another key", {"importer_role_policy": importer_role_policy([foreign_keys["of another account"]])},
                 ("importer_role_policy",)),
                ("a field added", {"installer": "curl | sh"}, ("installer",)),
                ("a region that isn't the model's", {"region": "eu-west-1"}, ("region",)),
                ("a model ARN that is none", {"model_arn": "tickets"}, ("model_arn",)),
                ("no principal", {"principals": []}, ("principals",))]
    cases = [tampered(world, what, change, names, index) for index, (what, change, names) in enumerate(changes)]
    cases.append(tampered(world, "the region dropped", {}, ("region",), len(cases), dropped=("region",)))
    model = world.sound["cmk"]["model_arn"]
    return cases + [
        RoleCase("import_model_handoff a number", {"import_model_handoff": 5}, ("import_model_handoff",)),
        RoleCase("import_model_handoff empty", {"import_model_handoff": []}, ("import_model_handoff",)),
        RoleCase("import_model_handoff broken JSON text", {"import_model_handoff": '[{"schema_version": 1,'}, ("import_model_handoff",)),
        RoleCase("import_model_kms_key_arn an alias", {"import_model_kms_key_arn": "alias/my-key"}, ("import_model_kms_key_arn",)),
        RoleCase("import_model_kms_key_arn of another region", {"import_model_kms_key_arn": importer_key.replace(REGION, "eu-west-1")},
                 ("import_model_kms_key_arn",)),
        RoleCase("import_model_wait_timeout below 0", {"import_model_wait_timeout": -1}, ("import_model_wait_timeout",)),
        RoleCase("import_model_poll_delay below 1", {"import_model_poll_delay": 0}, ("import_model_poll_delay",)),
        RoleCase("import_model_names for a model not in the handoff", {"import_model_names": {model.replace("cmk", "other"): {"model_name": "x"}}},
                 ("import_model_names",)),
        RoleCase("a copy name breaking Comprehend's rules", {"import_model_names": {model: {"model_name": "cmk_copy"}}},
                 ("import_model_names",)),
        RoleCase("import_model_role_name breaking IAM's rules", {"import_model_role_name": "seed comprehend import!"},
                 ("import_model_role_name",)),
        RoleCase("import_model_aws not a dictionary", {"import_model_aws": REGION}, ("import_model_aws",)),
    ]


def test_import_model_refuses_bad_input_before_writing(aws, playbook, tmp_path, figures):
    """Each case runs the import_model role with one mistake in a handoff of three shared models (one under a
    customer managed key); as given, the role would create its service role and import the three."""
    world = shared_models(aws)
    common = {"import_model_handoff": world.handoff(world.sound["cmk"]), "import_model_aws": "{{ aws_connection }}",
              "import_model_poll_delay": 1}
    cases = import_cases(world, aws.create_key(aws.importer))
    judge_cases(figures, "import_model", cases, run_cases(playbook, tmp_path, aws, "import_model", aws.importer, common, cases))


def test_import_model_two_versions_of_one_model_without_names(aws, playbook, figures):
    """Two versions of one classifier in the handoff and no import_model_names: the copies' default names (the
    source's name, no version) are the same. The role must either import both under distinct names or refuse before
    the first import, naming import_model_names; importing one and then failing on the other leaves half the work."""
    world = shared_models(aws)
    first = world.sound["tickets"]
    second = dict(first, model_arn=aws.create_model(aws.owner, name="tickets", version="v2", policy=SHARED_WITH_IMPORTER))
    aws.reset_calls()
    run = playbook("import/import.yml", account=aws.importer, import_model_handoff=[first, second])
    writes = [call for call in aws.write_calls(IMPORTER) if call["status"] < 400]
    copies = aws.importer.client("comprehend").list_document_classifiers()["DocumentClassifierPropertiesList"]
    sources = sorted(copy.get("SourceModelArn", "") for copy in copies)
    imported_both = run.rc == 0 and sources == sorted([first["model_arn"], second["model_arn"]])
    refused_cleanly = run.rc != 0 and not writes and "import_model_names" in run.stdout
    row = {"target": "import_model role, e2e: two versions of one model, no import_model_names", "cases": 1,
           "accepted": int(imported_both), "refused": int(run.rc != 0),
           "writes before a refusal": len(writes) if run.rc != 0 else 0,
           "refusals not naming an option": int(run.rc != 0 and "import_model_names" not in run.stdout)}
    figures.add("bad-input", row, imported_both or refused_cleanly,
                [] if imported_both or refused_cleanly else
                [f"import_model role imported {len(copies)} of 2 versions ({', '.join(call['operation'] for call in writes)}) and then "
                 "failed: the copies' default names collide"])
    assert imported_both or refused_cleanly, (run.rc, writes, sources, run.stdout[-1500:])
