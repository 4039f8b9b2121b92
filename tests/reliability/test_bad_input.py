"""Property-based fuzzing (hypothesis) of every module's and role's inputs, in-process.

Modules: main() itself, with generated arguments (valid, near misses and junk, check mode and diff mode too)
through ansible-core's argument loading, against a FakeAws that validates every call as botocore and AWS would
and records it (inprocess.py, fake_aws.py). Roles: their argument spec (meta/argument_specs.yml, checked with
ArgumentSpecValidator as ansible-core does) and then their tasks, simulated task by task with the same modules
and filters, so that a refusal half-way through a role is seen with the writes that came before it.

For every case: no traceback (no exception out of main() or out of a filter); a failed run made no write call
that reached AWS; and its message names the option at fault (one of the module's or role's options, or a name the
user wrote). Failures that are AWS answering about its state (a model in another account that can't be seen)
are counted apart: they name the ARN, and are no refusal of input. The unit tests in tests/unit/plugins/modules/
fuzz comprehend_resource_policy (1200 cases) and kms_comprehend_grant (6 x 250) further; they are not counted here.
"""

from __future__ import annotations

import inspect
import random
import re
import string
import sys
import time
from collections import Counter
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.modules import comprehend_import_model, comprehend_model_info
from ansible_collections.seed.comprehend.plugins.modules import comprehend_resource_policy, kms_comprehend_grant

from fake_aws import IMPORTER, OWNER, FakeAws
from inprocess import fake_aws_modules, module_options, names_an_option, role_spec, run_module
from inprocess import role_module_arguments, simulate_import_model, simulate_share_model, validate_role_arguments

# The strategies' reprs are large (value pools); hypothesis warns when it builds one.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

# Generated cases per target: 10,500 in all.
CASES = {
    "comprehend_resource_policy": 2000,
    "kms_comprehend_grant": 2000,
    "comprehend_model_info": 1500,
    "comprehend_import_model": 2000,
    "share_model role": 1500,
    "import_model role": 1500,
}
# AWS answering about its state, not refusing input: the message names the resource instead of an option.
STATE_FAILURE = re.compile(r"does not exist, or this account can't see it|Only trained models can be shared|"
                           r"encrypted with an AWS managed key|is an AWS managed key")

# ------------------------------------------------------------------------------------------------ strategies


def weighted(strategy: Any, weight: int) -> List[Any]:
    """``weight`` distinct copies of a strategy, for st.one_of (which merges identical branches into one)."""
    return [strategy.map(lambda value: value) for _unused in range(weight)]


def usually(good: Any, bad: Any) -> Any:
    """Mostly a good value, about one time in sixteen a mistake."""
    return st.one_of(*weighted(good, 15), bad)


def _pool(seed: int, count: int, make: Callable[[random.Random], str]) -> List[str]:
    """Values made once with a seeded generator: drawing one is a single choice for hypothesis, which keeps the
    10,000 cases within the suite's time bound (regex and text strategies cost ten times more per case)."""
    generator = random.Random(seed)
    return sorted({make(generator) for _unused in range(count)})


def _name(generator: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    parts = [generator.choice(alphabet) + "".join(generator.choice(alphabet) for _unused in range(generator.randint(0, 8)))
             for _unused in range(generator.randint(1, 3))]
    return ("-" * generator.randint(1, 2)).join(parts)[:63]


TEXT = st.text(max_size=12)
JUNK = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10, max_value=10 ** 13),
                 st.floats(allow_nan=False, allow_infinity=False, width=32), TEXT,
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=4), st.integers(), max_size=1))
NAMES = st.sampled_from(_pool(1, 120, _name) + ["a", "A1", "x" * 63, "v-2", "a--b"])
BAD_NAMES = st.sampled_from(["a_b", "-x", "x-", "", "x" * 64, "n\u00e9", "a b", "a/b", "*", "v1.0", "name\n"])
PREFIXED = st.builds(lambda prefix, name: prefix + name, usually(st.sampled_from(["", "cmk"]), st.sampled_from(["managed", "training"])), NAMES)
ACCOUNTS = st.one_of(st.sampled_from([OWNER, IMPORTER, "123456789012"]),
                     st.sampled_from(_pool(2, 40, lambda g: "".join(g.choice(string.digits) for _unused in range(12)))),
                     st.sampled_from(["12345678901", "1234567890123", "12345678901a", "*", "", " 123456789012"]))
KINDS = st.sampled_from(["document-classifier", "entity-recognizer", "document-classifier", "flywheel", "Document-Classifier"])


@st.composite
def model_arns(draw, good: bool = False) -> str:
    """A Comprehend model ARN: the owner's, in us-west-2 (good), or anything close."""
    if good or draw(st.integers(0, 3)) > 0:
        partition, region, account = "aws", "us-west-2", OWNER
        kind = draw(st.sampled_from(["document-classifier", "entity-recognizer"]))
        name = draw(PREFIXED)
    else:
        partition = draw(st.sampled_from(["aws", "aws-cn", "aws-us-gov", "azure", "aws-"]))
        region = draw(st.sampled_from(["us-west-2", "eu-west-1", "", "us_west"]))
        account = draw(ACCOUNTS)
        kind = draw(KINDS)
        name = draw(st.one_of(PREFIXED, BAD_NAMES, TEXT))
    arn = f"arn:{partition}:comprehend:{region}:{account}:{kind}/{name}"
    if draw(st.booleans()):
        arn += "/version/" + draw(NAMES if good else st.one_of(NAMES, BAD_NAMES))
    return arn


ARNISH = st.one_of(model_arns(), model_arns(good=True), TEXT, JUNK)
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
REGIONS = st.one_of(st.just("us-west-2"), st.just("us-west-2"), st.sampled_from(["eu-west-1", ""]), JUNK)
# The text a resource policy already attached to each model starts as (None: no policy).
ATTACHED = st.sampled_from([
    None, None,
    '{"Version":"2012-10-17","Statement":[{"Sid":"Foreign","Effect":"Allow","Action":"comprehend:ImportModel","Resource":"*",'
    '"Principal":{"AWS":"arn:aws:iam::999988887777:root"}}]}',
    '{"Version":"2012-10-17","Statement":[{"Sid":"ResourcePolicyForImportModel","Effect":"Allow","Action":"comprehend:ImportModel",'
    '"Resource":"*","Principal":{"AWS":["arn:aws:iam::444455556666:root","123456789012"]}}]}',
    "not a policy"])
KEY_IDS = st.one_of(
    st.sampled_from(["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/comprehend-models", "alias/aws/comprehend",
                     f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab", f"arn:aws:kms:us-west-2:{OWNER}:alias/x",
                     "arn:aws:kms:eu-west-1:111122223333:key/abc", "missing-key", "", " "]), TEXT, JUNK)
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


GOOD_PRINCIPAL_VALUES = [IMPORTER, "123456789012", f"arn:aws:iam::{IMPORTER}:root", f"arn:aws:iam::{IMPORTER}:user/jane",
                         "arn:aws:iam::123456789012:role/team/Importer", "comprehend.amazonaws.com"]
GOOD_PRINCIPALS = st.lists(st.one_of(st.sampled_from(GOOD_PRINCIPAL_VALUES), ACCOUNTS), min_size=1, max_size=3)
GOOD_POLICIES = st.lists(st.fixed_dictionaries({
    "Sid": st.sampled_from(["ResourcePolicyForImportModel", "Other", "Third"]), "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.sampled_from(["comprehend:ImportModel", ["comprehend:ImportModel"]]), "Resource": st.just("*"),
    "Principal": st.fixed_dictionaries({"AWS": GOOD_PRINCIPALS.map(lambda items: [i for i in items if "amazonaws" not in i] or [IMPORTER])})}),
    min_size=1, max_size=3, unique_by=lambda statement: statement["Sid"]).map(lambda statements: {"Version": "2012-10-17", "Statement": statements})
STATES = usually(st.sampled_from(["present", "present", "absent"]), JUNK)
BOOLS = usually(st.booleans(), JUNK)

RESOURCE_POLICY_ARGS = st.one_of(
    arguments({"resource_arn": usually(model_arns(good=True), ARNISH), "principals": usually(GOOD_PRINCIPALS, PRINCIPAL_LISTS)},
              {"state": STATES, "purge_principals": BOOLS, "statement_id": usually(st.sampled_from(["ResourcePolicyForImportModel", "Other"]), TEXT),
               "allow_wildcard_principal": BOOLS}, {}),
    arguments({"resource_arn": usually(model_arns(good=True), ARNISH), "policy": usually(GOOD_POLICIES, POLICIES)},
              {"state": STATES, "statement_id": usually(st.just("ResourcePolicyForImportModel"), TEXT)}, {}),
    arguments({"resource_arn": usually(model_arns(good=True), ARNISH), "state": st.just("absent")}, {}, {}),
    arguments({"resource_arns": usually(st.lists(model_arns(good=True), min_size=1, max_size=4),
                                        st.one_of(st.lists(ARNISH, max_size=3), JUNK)),
               "principals": usually(GOOD_PRINCIPALS, PRINCIPAL_LISTS)},
              {"state": STATES, "purge_principals": BOOLS, "resource_arn": ARNISH}, {}),
    arguments({}, {}, {
        "resource_arn": ARNISH, "model_arn": model_arns(good=True), "resource_arns": st.one_of(st.lists(ARNISH, max_size=3), JUNK),
        "state": STATES, "principals": PRINCIPAL_LISTS,
        "purge_principals": st.one_of(st.booleans(), st.sampled_from(["yes", "maybe"]), JUNK),
        "statement_id": st.one_of(TEXT, st.just("s" * 129), JUNK), "policy": POLICIES, "allow_wildcard_principal": BOOLS}))
MODEL_PATTERNS = st.sampled_from(["arn:aws:comprehend:*", f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/x/version/*",
                                  "arn:aws:comprehend:us-west-2:*", "arn:aws:comprehend:us-west-2", "arn:aws:comprehend:eu-west-1:*"])
KMS_ARGS = arguments(
    {"key_id": usually(st.sampled_from(["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/comprehend-models",
                                        f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"]), KEY_IDS),
     "model_arns": usually(st.lists(usually(model_arns(good=True), st.one_of(model_arns(), MODEL_PATTERNS)), min_size=1, max_size=4),
                           st.one_of(st.lists(ARNISH, max_size=3), JUNK)),
     "principals": usually(GOOD_PRINCIPALS.map(lambda items: [i for i in items if "amazonaws" not in i] or [IMPORTER]), PRINCIPAL_LISTS)},
    {"state": STATES, "purge_principals": BOOLS},
    {"key_id": KEY_IDS, "model_arns": st.one_of(st.lists(ARNISH, max_size=3), JUNK), "principals": PRINCIPAL_LISTS,
     "state": STATES, "purge_principals": BOOLS})
MODEL_TYPES = st.sampled_from(["document_classifier", "entity_recognizer"])
MODEL_INFO_ARGS = st.one_of(
    arguments({"model_arns": usually(st.lists(model_arns(good=True), min_size=1, max_size=4), st.lists(ARNISH, max_size=3))},
              {"ignore_missing": BOOLS, "include_policy": BOOLS}, {}),
    arguments({"name": usually(NAMES, st.one_of(BAD_NAMES, JUNK)), "model_type": usually(MODEL_TYPES, JUNK)},
              {"statuses": usually(st.lists(st.sampled_from(["TRAINED", "TRAINING", "TRAINED_WITH_WARNING"]), max_size=3),
                                   st.lists(st.sampled_from(["TRAINED_WITH_WARNINGS", "trained"]), min_size=1, max_size=2))}, {}),
    arguments({}, {}, {"model_arns": st.one_of(st.lists(ARNISH, max_size=4), ARNISH), "name": st.one_of(NAMES, BAD_NAMES, JUNK),
                       "model_type": st.one_of(MODEL_TYPES, JUNK), "statuses": JUNK, "ignore_missing": BOOLS,
                       "include_policy": JUNK}))
IMPORT_ARGS = arguments(
    {"source_model_arn": usually(model_arns(good=True), ARNISH)},
    {"model_name": usually(NAMES, st.one_of(BAD_NAMES, JUNK)), "version_name": usually(NAMES, BAD_NAMES),
     "model_kms_key_id": usually(st.sampled_from(["alias/own-key", "arn:aws:kms:us-west-2:444455556666:key/abcd"]), st.one_of(KEY_IDS, st.just("cl\u00e9"))),
     "data_access_role_arn": usually(st.builds("arn:aws:iam::{}:role/{}".format, st.just(IMPORTER), IAM_NAMES),
                                     st.one_of(st.sampled_from(["arn:aws:iam::444455556666:user/x", "role/x"]), TEXT, JUNK)),
     "tags": usually(st.dictionaries(NAMES, NAMES, max_size=2),
                     st.one_of(st.dictionaries(st.one_of(TEXT, st.just(""), st.just("k" * 129)),
                                               st.one_of(TEXT, st.just("v" * 257), st.integers(), st.none()), max_size=2), JUNK)),
     "wait": BOOLS, "wait_timeout": usually(st.integers(min_value=1, max_value=3600), st.one_of(st.integers(max_value=0), JUNK))},
    {"source_model_arn": ARNISH, "model_name": JUNK, "version_name": JUNK, "model_kms_key_id": KEY_IDS, "data_access_role_arn": JUNK,
     "tags": JUNK, "wait": JUNK, "wait_timeout": JUNK})

CONNECTIONS = st.one_of(
    st.just({"region": "us-west-2"}), st.just({"region": "us-west-2"}),
    st.fixed_dictionaries({"region": REGIONS}, optional={
        "endpoint_url": st.sampled_from(["http://127.0.0.1:9", "not a url"]), "access_key": TEXT,
        "validate_certs": st.one_of(st.booleans(), JUNK), "not_an_aws_option": JUNK}),
    JUNK)


def role_arguments(required: Dict[str, Any], optional: Dict[str, Any], hostile: Dict[str, Any]) -> Any:
    """Role variables: three times in four plausible ones, else anything; an unknown variable now and then."""
    plausible = st.fixed_dictionaries(required, optional=optional)
    unknown = usually(st.just({}), st.fixed_dictionaries({"unknown_role_variable": JUNK}))
    return st.builds(lambda args, extra: dict(args, **extra),
                     st.one_of(*weighted(plausible, 3), st.fixed_dictionaries({}, optional=hostile)), unknown)


CONNECTION = usually(st.just({"region": "us-west-2"}), CONNECTIONS)
SHARE_PRINCIPALS = st.sampled_from([IMPORTER, "123456789012", f"arn:aws:iam::{IMPORTER}:role/Importer", "comprehend.amazonaws.com"])
SHARE_ROLE_ARGS = role_arguments(
    {"share_model_arns": usually(st.lists(usually(model_arns(good=True), ARNISH), min_size=1, max_size=4), JUNK),
     "share_model_principals": usually(st.lists(usually(SHARE_PRINCIPALS, PRINCIPALS), min_size=1, max_size=3), JUNK),
     "share_model_aws": CONNECTION},
    {"share_model_state": STATES, "share_model_purge_principals": BOOLS, "share_model_manage_kms": BOOLS},
    {"share_model_arns": st.one_of(st.lists(ARNISH, max_size=3), JUNK), "share_model_principals": PRINCIPAL_LISTS,
     "share_model_state": STATES, "share_model_purge_principals": BOOLS, "share_model_manage_kms": BOOLS,
     "share_model_handoff_path": st.one_of(st.just(""), TEXT), "share_model_aws": CONNECTIONS})


@st.composite
def handoff_entries(draw) -> Any:
    """One entry of the owner's handoff, mostly as share_model writes it, now and then damaged."""
    arn = draw(usually(model_arns(good=True), ARNISH))
    region = arn.split(":")[3] if isinstance(arn, str) and arn.count(":") > 3 else "us-west-2"
    entry = {"schema_version": draw(usually(st.just(1), st.sampled_from([2, "1", None]))), "model_arn": arn,
             "region": draw(usually(st.just(region), REGIONS)),
             "key_type": draw(usually(st.sampled_from(["aws_owned", "customer_managed"]), st.one_of(st.just("aws_managed"), JUNK))),
             "kms_key_arn": draw(usually(st.just(f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                                         st.one_of(KEY_IDS, JUNK))),
             "principals": [IMPORTER], "model_type": "document_classifier", "source_account": OWNER}
    if entry["key_type"] != "customer_managed" and draw(st.booleans()):
        del entry["kms_key_arn"]
    for key in draw(usually(st.just([]), st.lists(st.sampled_from(sorted(entry)), min_size=1, max_size=2))):
        entry.pop(key, None)
    return entry


NAMES_FOR_COPIES = st.dictionaries(st.one_of(model_arns(good=True), TEXT), usually(
    st.fixed_dictionaries({}, optional={"model_name": usually(NAMES, st.one_of(BAD_NAMES, JUNK)), "version_name": usually(NAMES, BAD_NAMES)}),
    JUNK), max_size=2)
IMPORT_ROLE_ARGS = role_arguments(
    {"import_model_handoff": usually(st.lists(handoff_entries(), min_size=1, max_size=3), st.one_of(handoff_entries(), JUNK)),
     "import_model_aws": CONNECTION},
    {"import_model_names": usually(NAMES_FOR_COPIES, JUNK),
     "import_model_kms_key_arn": usually(st.sampled_from(["", "", "arn:aws:kms:us-west-2:444455556666:key/abcd"]), KEY_IDS),
     "import_model_role_name": usually(st.just("seed-comprehend-import"), st.one_of(IAM_NAMES, JUNK)),
     "import_model_wait_timeout": usually(st.integers(min_value=1, max_value=3600), st.one_of(st.integers(max_value=0), JUNK)),
     "import_model_poll_delay": usually(st.integers(min_value=1, max_value=60), st.one_of(st.integers(max_value=0), JUNK))},
    {"import_model_handoff": st.one_of(st.lists(handoff_entries(), max_size=3), JUNK), "import_model_names": JUNK,
     "import_model_kms_key_arn": KEY_IDS, "import_model_role_name": JUNK, "import_model_aws": CONNECTIONS})


# ------------------------------------------------------------------------------------------------ the checks


class Tally:
    """What happened to the generated cases of one target."""

    def __init__(self, options: List[str]) -> None:
        self.options = options
        self.counts: Counter = Counter()
        self.examples: Dict[str, List[str]] = {}

    def problem(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, [])
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(example[:400])

    def judge(self, args: Any, failed: bool, message: str, trace: Any, writes: int, user_keys: List[str]) -> None:
        self.counts["cases"] += 1
        if trace:
            self.problem("tracebacks", f"{args!r:.200} -> {trace}")
            return
        if not failed:
            self.counts["accepted"] += 1
            return
        if STATE_FAILURE.search(message):
            self.counts["AWS state failures"] += 1
        else:
            self.counts["refused"] += 1
            if names_an_option(message, self.options + user_keys):
                self.counts["refusals naming the option"] += 1
            else:
                self.problem("refusals not naming an option", f"{args!r:.200} -> {message}")
        if writes:
            self.problem("writes before a refusal", f"{args!r:.200} -> {writes} write(s), then: {message}")

    def row(self, target: str) -> Dict[str, Any]:
        return {"target": target, "cases": self.counts["cases"], "accepted": self.counts["accepted"],
                "refused": self.counts["refused"], "AWS state failures": self.counts["AWS state failures"],
                "tracebacks": self.counts["tracebacks"], "writes before a refusal": self.counts["writes before a refusal"],
                "refusals not naming an option": self.counts["refusals not naming an option"]}

    @property
    def ok(self) -> bool:
        return not (self.counts["tracebacks"] or self.counts["writes before a refusal"] or self.counts["refusals not naming an option"])

    def notes(self, target: str) -> List[str]:
        return [f"{target}, {kind}: e.g. {example}" for kind, examples in self.examples.items() for example in examples[:2]]


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


REAL_SLEEP = time.sleep


def no_sleep(seconds: float) -> None:  # pylint: disable=unused-argument
    """The fake answers at once: a module's retry or settling pause would only slow 10,000 cases down."""


def no_waiting(monkeypatch) -> None:
    """time.sleep, and every default ``sleep=time.sleep`` argument of the collection's module_utils, made a no-op."""
    monkeypatch.setattr(time, "sleep", no_sleep)
    for name, module in list(sys.modules.items()):
        if not name.startswith("ansible_collections.seed.comprehend.plugins.module_utils."):
            continue
        for function in [value for value in vars(module).values() if inspect.isfunction(value)]:
            if function.__defaults__ and any(default is REAL_SLEEP for default in function.__defaults__):
                monkeypatch.setattr(function, "__defaults__",
                                    tuple(no_sleep if default is REAL_SLEEP else default for default in function.__defaults__))
            if function.__kwdefaults__ and any(default is REAL_SLEEP for default in function.__kwdefaults__.values()):
                monkeypatch.setattr(function, "__kwdefaults__", {key: no_sleep if default is REAL_SLEEP else default
                                                                 for key, default in function.__kwdefaults__.items()})


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch):
    """No AWS settings from the environment, and no waiting (see no_waiting)."""
    no_waiting(monkeypatch)
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
                     "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_URL", "EC2_URL"):
        monkeypatch.delenv(variable, raising=False)
    with fake_aws_modules():
        yield


MODULES = {
    "comprehend_resource_policy": (comprehend_resource_policy, RESOURCE_POLICY_ARGS),
    "kms_comprehend_grant": (kms_comprehend_grant, KMS_ARGS),
    "comprehend_model_info": (comprehend_model_info, MODEL_INFO_ARGS),
    "comprehend_import_model": (comprehend_import_model, IMPORT_ARGS),
}


@pytest.mark.parametrize("target", list(MODULES))
def test_fuzz_module(target, figures):
    module, strategy = MODULES[target]
    tally = Tally(module_options(module))

    def body(case: Any) -> None:
        args, modes, attached = case
        world = FakeAws(resource_policy=attached, caller_account=IMPORTER if target == "comprehend_import_model" else OWNER)
        run = run_module(module.main, args, world, **modes)
        tally.judge(args, run.failed, run.message, run.traceback, len(world.writes), list(args))

    fuzz(st.tuples(strategy, MODES, ATTACHED), CASES[target], body)
    finish(figures, target, tally)


def role_options(role: str, modules: List[Any]) -> List[str]:
    names = list(role_spec(role))
    for module in modules:
        names += module_options(module)
    return names + ["handoff", "schema_version", "model_arn", "region", "key_type", "kms_key_arn"]


def user_keys(value: Any) -> List[str]:
    """Option names the user wrote, nested dictionaries included (share_model_aws: {...})."""
    keys: List[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            keys.append(str(key))
            keys += user_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys += user_keys(item)
    return keys


def judge_role(tally: Tally, role: str, args: Dict[str, Any], world: FakeAws, simulate: Callable[..., Any]) -> None:
    validated = validate_role_arguments(role, args)
    if validated.error_messages:
        tally.judge(args, True, "; ".join(validated.error_messages), None, 0, user_keys(args))
        return
    run = simulate(validated.validated_parameters, world)
    tally.judge(args, run.failed_step is not None, f"[{run.failed_step}] {run.message}", run.traceback,
                run.writes_before_failure if run.failed_step else 0, user_keys(args))


def test_fuzz_share_model_role(figures):
    tally = Tally(role_options("share_model", [comprehend_model_info, comprehend_resource_policy, kms_comprehend_grant]))
    fuzz(st.tuples(SHARE_ROLE_ARGS, ATTACHED), CASES["share_model role"],
         lambda case: judge_role(tally, "share_model", case[0], FakeAws(resource_policy=case[1]), simulate_share_model))
    finish(figures, "share_model role", tally)


def test_fuzz_import_model_role(figures):
    tally = Tally(role_options("import_model", [comprehend_import_model]))
    fuzz(IMPORT_ROLE_ARGS, CASES["import_model role"],
         lambda args: judge_role(tally, "import_model", args, FakeAws(caller_account=IMPORTER), simulate_import_model))
    finish(figures, "import_model role", tally)


def test_role_simulations_follow_the_roles(figures):  # pylint: disable=unused-argument
    """The simulations run the tasks in the order of tasks/main.yml (an unknown task stops them); here, every task
    that calls one of the collection's modules must get the same arguments as in tasks/main.yml."""
    share = {"share_model_arns": [f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/cmk1/version/v1"],
             "share_model_principals": [IMPORTER], "share_model_aws": {"region": "us-west-2"}}
    handoff = [{"schema_version": 1, "model_arn": f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1",
                "model_type": "document_classifier", "region": "us-west-2", "source_account": OWNER, "principals": [IMPORTER],
                "key_type": "customer_managed",
                "kms_key_arn": f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]
    seen: Dict[str, Dict[str, List[str]]] = {"share_model": {}, "import_model": {}}
    for state in ("present", "absent"):
        arguments = validate_role_arguments("share_model", dict(share, share_model_state=state)).validated_parameters
        run = simulate_share_model(arguments, FakeAws())
        assert run.failed_step is None, (run.failed_step, run.message, run.traceback)
        seen["share_model"].update(run.arguments)
    arguments = validate_role_arguments("import_model", {"import_model_handoff": handoff, "import_model_aws": {"region": "us-west-2"}})
    run = simulate_import_model(arguments.validated_parameters, FakeAws(caller_account=IMPORTER))
    assert run.failed_step is None, (run.failed_step, run.message, run.traceback)
    seen["import_model"].update(run.arguments)
    for role, simulated in seen.items():
        assert simulated == role_module_arguments(role), f"update inprocess.simulate_{role} to the arguments of roles/{role}/tasks/main.yml"


NEWLINE_CASES = {
    "comprehend_resource_policy": {"resource_arn": f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1\n",
                                   "principals": [IMPORTER]},
    "kms_comprehend_grant": {"key_id": "alias/models", "principals": [IMPORTER],
                             "model_arns": [f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1\n"]},
    "comprehend_model_info": {"model_type": "document_classifier", "name": "tickets\n"},
    "comprehend_import_model": {"source_model_arn": f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/tickets/version/v1",
                                "model_name": "tickets\n"},
}


@pytest.mark.parametrize("target", list(NEWLINE_CASES))
def test_a_trailing_newline_is_refused_before_any_call(target, figures):
    """A value read from a file often ends with a newline. Python's ``$`` matches before a final newline, so a
    pattern checked with ``^...$`` lets it through to AWS, which refuses it (after a write call, for ImportModel).
    The module itself must refuse it, naming the option."""
    module, _strategy = MODULES[target]
    world = FakeAws(caller_account=IMPORTER if target == "comprehend_import_model" else OWNER)
    run = run_module(module.main, dict(NEWLINE_CASES[target], region="us-west-2"), world)
    named = run.failed and names_an_option(run.message, module_options(module))
    sent = [call["operation"] for call in world.calls if call.get("refused") or call["write"]]
    figures.add("bad-input", {"target": f"{target}: a value with a trailing newline", "cases": 1, "accepted": int(not run.failed),
                              "refused": int(run.failed), "writes before a refusal": len(world.writes) if run.failed else 0,
                              "refusals not naming an option": int(run.failed and not named)},
                bool(named and not sent), [] if named and not sent else
                [f"{target} let a trailing newline through: {', '.join(sent) or 'no call'}; "
                 f"{'accepted, writing ' + str(len(world.writes)) + ' time(s)' if not run.failed else run.message[:160]}"])
    assert named and not sent, (run.message, world.calls)


BROKEN_PRINCIPAL_CASES = 150
SHARED_MODEL = f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/cmk1/version/v1"
KEY_ARN = f"arn:aws:kms:us-west-2:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Who takes principals, and where: a broken one goes among good ones, the wildcard opt-in set now and then.
PRINCIPAL_TAKERS = {
    "comprehend_resource_policy": lambda principals, allow: {"resource_arn": SHARED_MODEL, "principals": principals,
                                                             "allow_wildcard_principal": allow},
    "kms_comprehend_grant": lambda principals, allow: {"key_id": KEY_ARN, "model_arns": [SHARED_MODEL], "principals": principals},
    "share_model role": lambda principals, allow: {"share_model_arns": [SHARED_MODEL], "share_model_principals": principals,
                                                   "share_model_aws": {"region": "us-west-2"}},
}
PRINCIPAL_OPTIONS = {"comprehend_resource_policy": "principals", "kms_comprehend_grant": "principals",
                     "share_model role": "share_model_principals"}


@pytest.mark.parametrize("target", list(PRINCIPAL_TAKERS))
def test_principals_breaking_iam_naming_rules_are_refused(target, figures):
    """A user or role ARN with a non-ASCII letter, a wildcard in its path or name, or a name over 64 characters
    (IAM's naming rules) is refused by every module and role that takes principals: no traceback, no write, and
    the message names the principals option."""
    tally = Tally([PRINCIPAL_OPTIONS[target]])

    def body(case: Any) -> None:
        (broken, at), allow, modes = case
        principals = [IMPORTER, f"arn:aws:iam::{IMPORTER}:role/Importer"]
        principals.insert(at, broken)
        args = PRINCIPAL_TAKERS[target](principals, allow)
        if target == "share_model role":
            validated = validate_role_arguments("share_model", args)
            assert not validated.error_messages, validated.error_messages
            run = simulate_share_model(validated.validated_parameters, FakeAws())
            tally.judge(args, run.failed_step is not None, run.message, run.traceback,
                        run.writes_before_failure if run.failed_step else 0, [])
        else:
            world = FakeAws()
            run = run_module(MODULES[target][0].main, dict(args, region="us-west-2"), world, **modes)
            tally.judge(args, run.failed, run.message, run.traceback, len(world.writes), [])

    fuzz(st.tuples(st.tuples(BROKEN_PRINCIPALS, st.integers(0, 2)), st.booleans(), MODES), BROKEN_PRINCIPAL_CASES, body)
    figures.add("bad-input", dict(tally.row(f"{target}: principals breaking IAM's naming rules")), tally.ok and not tally.counts["accepted"],
                tally.notes(target))
    assert tally.counts["cases"] >= BROKEN_PRINCIPAL_CASES * 0.95, tally.counts
    assert tally.counts["accepted"] == 0 and tally.counts["refusals naming the option"] == tally.counts["cases"], tally.counts
    assert tally.ok, tally.examples
