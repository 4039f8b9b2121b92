"""Property-based fuzzing (hypothesis) of every module's inputs, in-process, against the AWS emulator.

Each module's main() itself, with generated arguments (valid, near misses and junk, check mode and diff mode too)
through ansible-core's argument loading, makes its own boto3 clients and calls the emulator of tests/emulator, whose
call log tells what each run sent (module_runner.py). The world it meets is emulated_world.py's, the same for every
case. The roles' refusals are end-to-end playbook runs (test_role_refusals.py).

For every case: no traceback (no exception out of main()); a failed run made no write call that reached AWS; and its
message names the option at fault (one of the module's options, or a name the user wrote). Failures that are AWS
answering about its state (a model this account can't see, a principal IAM doesn't know) are counted apart: they
name the resource, are no refusal of input, and AWS must not have served a write before them (refusals.py). The unit
tests in tests/unit/plugins/modules/ fuzz the argument handling of comprehend_resource_policy and kms_comprehend_grant
further, without AWS; they are not counted here.
"""

from __future__ import annotations

import random
import string
from typing import Any, Callable, Dict, Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.modules import comprehend_import_model, comprehend_model_info, comprehend_share_info
from ansible_collections.seed.comprehend.plugins.modules import comprehend_resource_policy, kms_comprehend_grant

from emulated_world import DATA_ACCESS_ROLE, IMPORTER_KEY_STAND_IN, IMPORTER_ROLE, IMPORTER_USER, MODEL_ARNS
from emulated_world import OWNER_KEY_ALIAS, OWNER_KEY_STAND_IN, EmulatedWorld, build_world
from emulator.client import is_write_operation
from helpers import IMPORTER, OWNER, REGION
from module_runner import modules_in_process, no_waiting, run_module
from refusals import RunOutcome, Tally, module_options, names_an_option

# The strategies' reprs are large (value pools); hypothesis warns when it builds one.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

# Generated cases per target. A case that gets past the module's own checks costs the module's boto3 clients and a
# few emulator calls, some 0.1 s: these counts keep the four within about a minute and a half of one worker's time.
CASES = {
    "comprehend_resource_policy": 1000,
    "kms_comprehend_grant": 750,
    "comprehend_model_info": 500,
    "comprehend_import_model": 750,
    "comprehend_share_info": 300,
}
OWNER_KEY_ARN = f"arn:aws:kms:{REGION}:{OWNER}:key/{OWNER_KEY_STAND_IN}"
IMPORTER_KEY_ARN = f"arn:aws:kms:{REGION}:{IMPORTER}:key/{IMPORTER_KEY_STAND_IN}"

# ------------------------------------------------------------------------------------------------ strategies


def weighted(strategy: Any, weight: int) -> List[Any]:
    """``weight`` distinct copies of a strategy, for st.one_of (which merges identical branches into one)."""
    return [strategy.map(lambda value: value) for _unused in range(weight)]


def usually(good: Any, bad: Any) -> Any:
    """Mostly a good value, about one time in sixteen a mistake."""
    return st.one_of(*weighted(good, 15), bad)


def _pool(seed: int, count: int, make: Callable[[random.Random], str]) -> List[str]:
    """Values made once with a seeded generator: drawing one is a single choice for hypothesis (regex and text
    strategies cost ten times more per case)."""
    generator = random.Random(seed)
    return sorted({make(generator) for _unused in range(count)})


def _name(generator: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    parts = [generator.choice(alphabet) + "".join(generator.choice(alphabet) for _unused in range(generator.randint(0, 8)))
             for _unused in range(generator.randint(1, 3))]
    return ("-" * generator.randint(1, 2)).join(parts)[:63]


TEXT = st.text(max_size=12)
# Junk that botocore refuses as a region name, or that means no region. A region name it lets through (true, text)
# would meet no endpoint on AWS, and an internal error of the emulator, which serves every region at one address.
NOT_REGION_NAMES = st.one_of(st.none(), st.integers(min_value=-10, max_value=10 ** 13),
                             st.floats(allow_nan=False, allow_infinity=False, width=32),
                             st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=1))
JUNK = st.one_of(NOT_REGION_NAMES, st.booleans(), TEXT)
NAMES = st.sampled_from(_pool(1, 120, _name) + ["a", "A1", "x" * 63, "v-2", "a--b"])
BAD_NAMES = st.sampled_from(["a_b", "-x", "x-", "", "x" * 64, "n\u00e9", "a b", "a/b", "*", "v1.0", "name\n"])
ACCOUNTS = st.one_of(st.sampled_from([OWNER, IMPORTER, "123456789012"]),
                     st.sampled_from(_pool(2, 40, lambda g: "".join(g.choice(string.digits) for _unused in range(12)))),
                     st.sampled_from(["12345678901", "1234567890123", "12345678901a", "*", "", " 123456789012"]))
KINDS = st.sampled_from(["document-classifier", "entity-recognizer", "document-classifier", "flywheel", "Document-Classifier"])


EXISTING_MODELS = st.sampled_from(MODEL_ARNS)
# Well-formed ARNs of the owner's account and region that name no model of the world.
UNKNOWN_MODELS = st.builds("arn:aws:comprehend:{}:{}:{}/{}{}".format, st.just(REGION), st.just(OWNER),
                           st.sampled_from(["document-classifier", "entity-recognizer"]), NAMES,
                           st.one_of(st.just(""), NAMES.map("/version/{}".format)))


@st.composite
def model_arns(draw) -> str:
    """A Comprehend model ARN: one of the world's, an unknown model of the owner's, or anything close."""
    choice = draw(st.integers(0, 3))
    if choice < 2:
        return draw(EXISTING_MODELS)
    if choice == 2:
        return draw(UNKNOWN_MODELS)
    partition = draw(st.sampled_from(["aws", "aws-cn", "aws-us-gov", "azure", "aws-"]))
    region = draw(st.sampled_from(["us-west-2", "eu-west-1", "", "us_west"]))
    arn = f"arn:{partition}:comprehend:{region}:{draw(ACCOUNTS)}:{draw(KINDS)}/{draw(st.one_of(NAMES, BAD_NAMES, TEXT))}"
    if draw(st.booleans()):
        arn += "/version/" + draw(st.one_of(NAMES, BAD_NAMES))
    return arn


ARNISH = st.one_of(model_arns(), TEXT, JUNK)
IAM_CHARACTERS = string.ascii_letters + string.digits + "+=,.@_-"
IAM_NAMES = st.one_of(st.sampled_from(_pool(3, 60, lambda g: "".join(g.choice(IAM_CHARACTERS) for _unused in range(g.randint(1, 16))))), TEXT)


def _broken_iam_arn(generator: random.Random) -> str:
    """A user or role ARN that breaks IAM's naming rules: a non-ASCII letter in its name or path, a wildcard in its
    path or name, or a name over 64 characters; the rest is well formed, so that only the rule can refuse it."""
    def segment(length: int) -> str:
        return "".join(generator.choice(IAM_CHARACTERS) for _unused in range(length))

    path = [segment(generator.randint(1, 8)) for _unused in range(generator.randint(0, 2))]
    name = segment(generator.randint(1, 12))
    flaw = generator.choice(["non-ASCII", "non-ASCII", "wildcard", "wildcard", "long"])
    if flaw == "long":
        name = segment(generator.randint(65, 80))
    else:
        odd = generator.choice("\u00e9\u00f4\u00fc\u00df\u00aa\u0107\u4e2d") if flaw == "non-ASCII" else generator.choice(["*", "*", "?*"])
        parts = path + [name] if path and generator.random() < 0.7 else [name]
        index = generator.randrange(len(parts))
        word = parts[index]
        at = generator.randint(0, len(word))
        parts[index] = word[:at] + odd + word[at:]
        path, name = parts[:-1] if len(parts) > 1 else path, parts[-1]
    account = generator.choice([IMPORTER, "123456789012"])
    return f"arn:aws:iam::{account}:{generator.choice(['user', 'role'])}/" + "".join(part + "/" for part in path) + name


BROKEN_PRINCIPALS = st.sampled_from(_pool(4, 200, _broken_iam_arn))
PRINCIPALS = st.one_of(
    ACCOUNTS,
    ACCOUNTS.map("arn:aws:iam::{}:root".format),
    st.builds("arn:{}:iam::{}:{}/{}".format, st.sampled_from(["aws", "aws", "aws-cn"]), ACCOUNTS,
              st.sampled_from(["user", "role", "role/team", "group"]), IAM_NAMES),
    st.sampled_from(["comprehend.amazonaws.com", "s3.amazonaws.com.cn", "amazonaws.com", "*", "arn:aws:iam::*:root",
                     " 444455556666 ", ""]),
    BROKEN_PRINCIPALS, TEXT, st.integers(min_value=0, max_value=10 ** 13))
PRINCIPAL_LISTS = st.one_of(st.lists(PRINCIPALS, max_size=4), st.lists(ACCOUNTS, min_size=1, max_size=2), PRINCIPALS, JUNK)
STATEMENT = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Allow", "Deny", "allow"]),
    "Action": st.one_of(st.just("comprehend:ImportModel"), st.just(["comprehend:ImportModel"]), st.sampled_from(["comprehend:*", "*"]), JUNK),
    "Principal": st.one_of(st.just("*"), st.dictionaries(st.sampled_from(["AWS", "Service", "Federated"]),
                                                         st.one_of(PRINCIPALS, st.lists(PRINCIPALS, max_size=3)), max_size=2), JUNK),
    "Resource": st.just("*"),
}, optional={"Sid": st.one_of(st.sampled_from(["ResourcePolicyForImportModel", "Other"]), TEXT, JUNK),
             "NotAction": JUNK, "Condition": st.one_of(st.just({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), JUNK)})
POLICIES = st.one_of(
    st.fixed_dictionaries({"Version": st.sampled_from(["2012-10-17", "2008-10-17"]),
                           "Statement": st.one_of(st.lists(STATEMENT, max_size=3), STATEMENT, JUNK)}),
    st.fixed_dictionaries({"Version": st.just("2012-10-17"), "Statement": st.lists(STATEMENT, max_size=2)}).map(__import__("json").dumps),
    TEXT, JUNK)
REGIONS = st.one_of(st.just(REGION), st.just(REGION), st.sampled_from(["eu-west-1", "", "us_west_2", "eu-west-1 "]), NOT_REGION_NAMES)
KEY_IDS = st.one_of(
    st.sampled_from([OWNER_KEY_STAND_IN, OWNER_KEY_ALIAS, "alias/aws/comprehend", OWNER_KEY_ARN, f"arn:aws:kms:{REGION}:{OWNER}:{OWNER_KEY_ALIAS}",
                     f"arn:aws:kms:eu-west-1:{OWNER}:key/{OWNER_KEY_STAND_IN}", IMPORTER_KEY_ARN, "missing-key", "", " "]), TEXT, JUNK)
MODES = st.fixed_dictionaries({"check_mode": st.booleans(), "diff": st.booleans()})


def arguments(plausible_required: Dict[str, Any], plausible_optional: Dict[str, Any], hostile: Dict[str, Any]) -> Any:
    """Module arguments: three times in four what a user would plausibly write (good values, now and then a
    mistake), else anything at all for every option; a region mostly, an unknown option now and then."""
    plausible = st.fixed_dictionaries(
        dict(plausible_required, region=usually(st.just("us-west-2"), REGIONS)), optional=plausible_optional)
    branches = weighted(plausible, 3)
    if hostile:
        branches.append(st.fixed_dictionaries({}, optional=dict(hostile, region=REGIONS)))
    unknown = usually(st.just({}), st.fixed_dictionaries({"not_an_option": JUNK}))
    return st.builds(lambda args, extra: dict(args, **extra), st.one_of(*branches), unknown)


GOOD_PRINCIPAL_VALUES = [IMPORTER, "123456789012", f"arn:aws:iam::{IMPORTER}:root", IMPORTER_USER, IMPORTER_ROLE, "comprehend.amazonaws.com"]
GOOD_PRINCIPALS = st.lists(st.one_of(st.sampled_from(GOOD_PRINCIPAL_VALUES), ACCOUNTS), min_size=1, max_size=3)
GOOD_POLICIES = st.lists(st.fixed_dictionaries({
    "Sid": st.sampled_from(["ResourcePolicyForImportModel", "Other", "Third"]), "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.sampled_from(["comprehend:ImportModel", ["comprehend:ImportModel"]]), "Resource": st.just("*"),
    "Principal": st.fixed_dictionaries({"AWS": GOOD_PRINCIPALS.map(lambda items: [i for i in items if "amazonaws" not in i] or [IMPORTER])})}),
    min_size=1, max_size=3, unique_by=lambda statement: statement["Sid"]).map(lambda statements: {"Version": "2012-10-17", "Statement": statements})
STATES = usually(st.sampled_from(["present", "present", "absent"]), JUNK)
BOOLS = usually(st.booleans(), JUNK)

RESOURCE_POLICY_ARGS = st.one_of(
    arguments({"resource_arn": usually(EXISTING_MODELS, ARNISH), "principals": usually(GOOD_PRINCIPALS, PRINCIPAL_LISTS)},
              {"state": STATES, "purge_principals": BOOLS, "statement_id": usually(st.sampled_from(["ResourcePolicyForImportModel", "Other"]), TEXT),
               "allow_wildcard_principal": BOOLS}, {}),
    arguments({"resource_arn": usually(EXISTING_MODELS, ARNISH), "policy": usually(GOOD_POLICIES, POLICIES)},
              {"state": STATES, "statement_id": usually(st.just("ResourcePolicyForImportModel"), TEXT)}, {}),
    arguments({"resource_arn": usually(EXISTING_MODELS, ARNISH), "state": st.just("absent")}, {}, {}),
    arguments({"resource_arns": usually(st.lists(EXISTING_MODELS, min_size=1, max_size=4),
                                        st.one_of(st.lists(ARNISH, max_size=3), JUNK)),
               "principals": usually(GOOD_PRINCIPALS, PRINCIPAL_LISTS)},
              {"state": STATES, "purge_principals": BOOLS, "resource_arn": ARNISH}, {}),
    arguments({}, {}, {
        "resource_arn": ARNISH, "model_arn": EXISTING_MODELS, "resource_arns": st.one_of(st.lists(ARNISH, max_size=3), JUNK),
        "state": STATES, "principals": PRINCIPAL_LISTS,
        "purge_principals": st.one_of(st.booleans(), st.sampled_from(["yes", "maybe"]), JUNK),
        "statement_id": st.one_of(TEXT, st.just("s" * 129), JUNK), "policy": POLICIES, "allow_wildcard_principal": BOOLS}))
MODEL_PATTERNS = st.sampled_from(["arn:aws:comprehend:*", f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/x/version/*",
                                  "arn:aws:comprehend:us-west-2:*", "arn:aws:comprehend:us-west-2", "arn:aws:comprehend:eu-west-1:*"])
KMS_ARGS = arguments(
    {"key_id": usually(st.sampled_from([OWNER_KEY_STAND_IN, OWNER_KEY_ALIAS, OWNER_KEY_ARN]), KEY_IDS),
     # A key policy may name any model of its account and region, trained yet or not.
     "model_arns": usually(st.lists(usually(st.one_of(EXISTING_MODELS, UNKNOWN_MODELS), st.one_of(model_arns(), MODEL_PATTERNS)),
                                    min_size=1, max_size=4),
                           st.one_of(st.lists(ARNISH, max_size=3), JUNK)),
     "principals": usually(GOOD_PRINCIPALS.map(lambda items: [i for i in items if "amazonaws" not in i] or [IMPORTER]), PRINCIPAL_LISTS)},
    {"state": STATES, "purge_principals": BOOLS},
    {"key_id": KEY_IDS, "model_arns": st.one_of(st.lists(ARNISH, max_size=3), JUNK), "principals": PRINCIPAL_LISTS,
     "state": STATES, "purge_principals": BOOLS})
MODEL_TYPES = st.sampled_from(["document_classifier", "entity_recognizer"])
MODEL_INFO_ARGS = st.one_of(
    arguments({"model_arns": usually(st.lists(EXISTING_MODELS, min_size=1, max_size=4), st.lists(ARNISH, max_size=3))},
              {"ignore_missing": BOOLS, "include_policy": BOOLS}, {}),
    arguments({"name": usually(st.one_of(st.sampled_from(sorted({arn.split("/")[1] for arn in MODEL_ARNS})), NAMES), st.one_of(BAD_NAMES, JUNK)),
               "model_type": usually(MODEL_TYPES, JUNK)},
              {"statuses": usually(st.lists(st.sampled_from(["TRAINED", "TRAINING", "TRAINED_WITH_WARNING"]), max_size=3),
                                   st.lists(st.sampled_from(["TRAINED_WITH_WARNINGS", "trained"]), min_size=1, max_size=2))}, {}),
    arguments({}, {}, {"model_arns": st.one_of(st.lists(ARNISH, max_size=4), ARNISH), "name": st.one_of(NAMES, BAD_NAMES, JUNK),
                       "model_type": st.one_of(MODEL_TYPES, JUNK), "statuses": JUNK, "ignore_missing": BOOLS,
                       "include_policy": JUNK}))
SHARE_INFO_ARGS = st.one_of(
    arguments({}, {"regions": usually(st.lists(st.sampled_from(["us-west-2", "eu-west-1"]), min_size=1, max_size=2),
                                      st.one_of(st.lists(st.one_of(TEXT, st.just("US-WEST-2")), min_size=1, max_size=2), JUNK)),
                   "names": usually(st.lists(st.one_of(st.sampled_from(sorted({arn.split("/")[1] for arn in MODEL_ARNS})), NAMES), min_size=1, max_size=3),
                                    st.one_of(st.lists(st.one_of(BAD_NAMES, JUNK), max_size=2), JUNK))}, {}),
    arguments({"model_arns": usually(st.lists(EXISTING_MODELS, min_size=1, max_size=4), st.lists(ARNISH, max_size=3))}, {}, {}),
    arguments({}, {}, {"regions": JUNK, "names": st.one_of(st.lists(TEXT, max_size=2), JUNK), "model_arns": st.one_of(st.lists(ARNISH, max_size=4), ARNISH)}))
IMPORT_ARGS = arguments(
    {"source_model_arn": usually(EXISTING_MODELS, ARNISH)},
    {"model_name": usually(NAMES, st.one_of(BAD_NAMES, JUNK)), "version_name": usually(NAMES, BAD_NAMES),
     "model_kms_key_id": usually(st.sampled_from(["alias/own-key", IMPORTER_KEY_ARN, IMPORTER_KEY_STAND_IN]), st.one_of(KEY_IDS, st.just("cl\u00e9"))),
     "data_access_role_arn": usually(st.builds("arn:aws:iam::{}:role/{}".format, st.just(IMPORTER), st.one_of(st.just(DATA_ACCESS_ROLE), IAM_NAMES)),
                                     st.one_of(st.sampled_from(["arn:aws:iam::444455556666:user/x", "role/x"]), TEXT, JUNK)),
     "tags": usually(st.dictionaries(NAMES, NAMES, max_size=2),
                     st.one_of(st.dictionaries(st.one_of(TEXT, st.just(""), st.just("k" * 129)),
                                               st.one_of(TEXT, st.just("v" * 257), st.integers(), st.none()), max_size=2), JUNK)),
     # The emulator trains a copy in three polls, which a wait of 30 s always allows (the pauses are skipped).
     "wait": BOOLS, "wait_timeout": usually(st.integers(min_value=30, max_value=3600), st.one_of(st.integers(max_value=0), JUNK))},
    {"source_model_arn": ARNISH, "model_name": JUNK, "version_name": JUNK, "model_kms_key_id": KEY_IDS, "data_access_role_arn": JUNK,
     "tags": JUNK, "wait": JUNK, "wait_timeout": JUNK})


# ------------------------------------------------------------------------------------------------ the checks


def fuzz(strategy: Any, examples: int, body: Callable[[Any], None]) -> None:
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        body(case)

    run()


def finish(figures, target: str, tally: Tally) -> None:
    figures.add("bad-input", tally.row(target), tally.ok, tally.notes(target))
    assert tally.counts["cases"] >= CASES[target] * 0.95, tally.counts
    assert tally.ok, tally.examples


AWS_ENVIRONMENT = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
                   "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_URL", "EC2_URL")


@pytest.fixture
def world(aws, monkeypatch) -> Iterator[EmulatedWorld]:
    """The emulated world (emulated_world.py); no AWS settings from the environment, and no waiting."""
    for variable in AWS_ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    no_waiting(monkeypatch)
    with modules_in_process():
        yield build_world(aws)


# target -> (module, its arguments, whose account runs it)
MODULES = {
    "comprehend_resource_policy": (comprehend_resource_policy, RESOURCE_POLICY_ARGS, "owner"),
    "kms_comprehend_grant": (kms_comprehend_grant, KMS_ARGS, "owner"),
    "comprehend_model_info": (comprehend_model_info, MODEL_INFO_ARGS, "owner"),
    "comprehend_import_model": (comprehend_import_model, IMPORT_ARGS, "importer"),
    "comprehend_share_info": (comprehend_share_info, SHARE_INFO_ARGS, "owner"),
}


def run_target(world: EmulatedWorld, target: str, args: Dict[str, Any], check_mode: bool = False, diff: bool = False) -> RunOutcome:
    """One run of the target module as its account, the keys' stand-ins replaced; the world put back after it."""
    module, _strategy, account = MODULES[target]
    connection = {key: value for key, value in getattr(world.aws, account).connection.items() if key != "region"}
    outcome = run_module(module.main, dict(world.real(args), **connection), world.aws, check_mode=check_mode, diff=diff)
    world.restore(outcome.calls)
    return outcome


@pytest.mark.parametrize("target", list(MODULES))
def test_fuzz_module(target, world, figures):
    module, strategy, _account = MODULES[target]
    tally = Tally(module_options(module))

    def body(case: Any) -> None:
        args, modes = case
        tally.judge(args, run_target(world, target, args, **modes), list(args))

    fuzz(st.tuples(strategy, MODES), CASES[target], body)
    finish(figures, target, tally)


NEWLINE_CASES = {
    "comprehend_resource_policy": {"resource_arn": MODEL_ARNS[0] + "\n", "principals": [IMPORTER]},
    "kms_comprehend_grant": {"key_id": OWNER_KEY_ALIAS, "principals": [IMPORTER], "model_arns": [MODEL_ARNS[0] + "\n"]},
    "comprehend_model_info": {"model_type": "document_classifier", "name": "tickets\n"},
    "comprehend_import_model": {"source_model_arn": MODEL_ARNS[2], "model_name": "people\n"},
    "comprehend_share_info": {"names": ["tickets\n"]},
}


@pytest.mark.parametrize("target", list(NEWLINE_CASES))
def test_a_trailing_newline_is_refused_before_any_call(target, world, figures):
    """A value read from a file often ends with a newline. Python's ``$`` matches before a final newline, so a
    pattern checked with ``^...$`` lets it through to AWS, which refuses it (after a write call, for ImportModel).
    The module itself must refuse it, naming the option: AWS must see neither a write nor a call it refuses."""
    module, _strategy, _account = MODULES[target]
    run = run_target(world, target, dict(NEWLINE_CASES[target], region=REGION))
    named = run.failed and names_an_option(run.message, module_options(module))
    sent = [call["operation"] for call in run.calls if call["status"] >= 400 or is_write_operation(call["operation"])]
    figures.add("bad-input", {"target": f"{target}: a value with a trailing newline", "cases": 1, "accepted": int(not run.failed),
                              "refused": int(run.failed), "writes before a refusal": run.writes_sent if run.failed else 0,
                              "refusals not naming an option": int(run.failed and not named)},
                bool(named and not sent), [] if named and not sent else
                [f"{target} let a trailing newline through: {', '.join(sent) or 'no call'}; "
                 f"{'accepted, writing ' + str(run.writes_served) + ' time(s)' if not run.failed else run.message[:160]}"])
    assert named and not sent, (run.message, run.calls)


BROKEN_PRINCIPAL_CASES = 150
# Who takes principals, and where: a broken one goes among good ones, the wildcard opt-in set now and then. The
# share_model role's principals are checked end to end (test_role_refusals.py).
PRINCIPAL_TAKERS = {
    "comprehend_resource_policy": lambda principals, allow: {"resource_arn": MODEL_ARNS[0], "principals": principals,
                                                             "allow_wildcard_principal": allow},
    "kms_comprehend_grant": lambda principals, allow: {"key_id": OWNER_KEY_ARN, "model_arns": [MODEL_ARNS[0]], "principals": principals},
}


@pytest.mark.parametrize("target", list(PRINCIPAL_TAKERS))
def test_principals_breaking_iam_naming_rules_are_refused(target, world, figures):
    """A user or role ARN with a non-ASCII letter, a wildcard in its path or name, or a name over 64 characters
    (IAM's naming rules) is refused by every module that takes principals: no traceback, no write, and the message
    names the principals option."""
    tally = Tally(["principals"])

    def body(case: Any) -> None:
        (broken, at), allow, modes = case
        principals = [IMPORTER, IMPORTER_ROLE]
        principals.insert(at, broken)
        args = PRINCIPAL_TAKERS[target](principals, allow)
        tally.judge(args, run_target(world, target, dict(args, region=REGION), **modes), [])

    fuzz(st.tuples(st.tuples(BROKEN_PRINCIPALS, st.integers(0, 2)), st.booleans(), MODES), BROKEN_PRINCIPAL_CASES, body)
    figures.add("bad-input", dict(tally.row(f"{target}: principals breaking IAM's naming rules")), tally.ok and not tally.counts["accepted"],
                tally.notes(target))
    assert tally.counts["cases"] >= BROKEN_PRINCIPAL_CASES * 0.95, tally.counts
    assert tally.counts["accepted"] == 0 and tally.counts["refusals naming the option"] == tally.counts["cases"], tally.counts
    assert tally.ok, tally.examples
