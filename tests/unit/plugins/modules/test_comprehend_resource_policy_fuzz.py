# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fuzz test of comprehend_resource_policy's argument handling (hypothesis).

Each generated argument set goes through what the module does before and around its AWS calls: Ansible's own
argument validation with the module's ARGUMENT_SPEC, then build_requests, then converge over an in-memory policy
store for each request. Every set must end in a clean failure (an Ansible argument error or InvalidInputError) or in requests that
botocore's Comprehend service model accepts, including the length and pattern limits botocore itself leaves to AWS.
A valid request must also do what it says, and a second run of it must write nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import botocore.session
from botocore.validate import validate_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import as_list
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import render_policy
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import statements_of
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import IMPORT_ACTION
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import ResourcePolicyPlanner
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import build_requests
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import owned_principals
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import VALIDATOR

EXAMPLES = 1200
COMPREHEND = botocore.session.get_session().get_service_model("comprehend")
FOREIGN = {"Sid": "Foreign", "Effect": "Allow", "Action": IMPORT_ACTION, "Resource": "*",
           "Principal": {"AWS": "999988887777"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}

# ---------------------------------------------------------------- strategies

text = st.text(max_size=30)
junk = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), text,
                 st.lists(st.integers(), max_size=3), st.dictionaries(text, st.integers(), max_size=2))
partitions = st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws-iso-b", "azure", "aws-"])
accounts = st.one_of(st.from_regex(r"\A[0-9]{12}\Z"), st.sampled_from(["111122223333", "444455556666", "123456789012"]),
                     st.from_regex(r"\A[0-9]{10,14}\Z"), st.just("*"))
names = st.one_of(st.from_regex(r"\A[a-zA-Z0-9](-*[a-zA-Z0-9]){0,70}\Z"), st.sampled_from(["mycf1", "v2", "a_b", "-x", "x-"]), text)


@st.composite
def model_arns(draw):
    arn = "arn:{}:comprehend:{}:{}:{}/{}".format(
        draw(partitions), draw(st.sampled_from(["us-west-2", "cn-north-1", "", "eu_west"])), draw(accounts),
        draw(st.sampled_from(["document-classifier", "entity-recognizer", "document-classifier-endpoint", "flywheel"])),
        draw(names))
    if draw(st.booleans()):
        arn += "/version/" + draw(names)
    return arn


@st.composite
def iam_arns(draw):
    path = draw(st.sampled_from(["/", "/team/", "/a/b/", "//", "/x y/", "/a*/", "/*/", "/t\u00e9am/"]))
    entity = draw(st.one_of(st.just("root"), st.builds(
        lambda kind, name: f"{kind}{path}{name}",
        st.sampled_from(["user", "role", "group"]), st.one_of(st.from_regex(r"\A[\w+=,.@-]{1,20}\Z"), text))))
    return f"arn:{draw(partitions)}:iam::{draw(accounts)}:{entity}"


principal_values = st.one_of(
    accounts, iam_arns(), st.sampled_from(["comprehend.amazonaws.com", "s3.amazonaws.com.cn", "amazonaws.com", "*",
                                           " 123456789012 ", "arn:aws:iam::*:root", ""]),
    text, st.integers(min_value=0, max_value=10 ** 13))
principal_lists = st.one_of(st.lists(principal_values, max_size=6), principal_values, junk)
actions = st.one_of(st.just(IMPORT_ACTION), st.just("COMPREHEND:importmodel"), st.just([IMPORT_ACTION]),
                    st.sampled_from(["comprehend:*", "*", "comprehend:DescribeDocumentClassifier", "s3:GetObject"]),
                    st.lists(st.sampled_from([IMPORT_ACTION, "comprehend:*", "iam:PassRole"]), max_size=3), junk)
principal_elements = st.one_of(
    st.just("*"),
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]),
                    st.one_of(principal_values, st.lists(principal_values, max_size=4)), max_size=3),
    junk)


@st.composite
def statements(draw):
    statement = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny", "allow", None])),
                 "Action": draw(actions), "Principal": draw(principal_elements), "Resource": "*"}
    for key, value in draw(st.dictionaries(st.sampled_from(["Sid", "NotAction", "NotPrincipal", "Condition", "Resource"]),
                                           st.one_of(text, names, junk), max_size=2)).items():
        statement[key] = value
    if draw(st.integers(0, 20)) == 0:  # now and then a statement too large for the API
        statement["Principal"] = {"AWS": [f"arn:aws:iam::123456789012:role/r{index:05d}" for index in range(700)]}
    return {key: value for key, value in statement.items() if value is not None}


@st.composite
def policies(draw):
    document = {"Version": draw(st.sampled_from(["2012-10-17", "2008-10-17"])),
                "Statement": draw(st.one_of(st.lists(statements(), max_size=3), statements(), junk))}
    form = draw(st.sampled_from(["dict", "json", "pretty", "broken", "junk"]))
    if form == "json":
        return json.dumps(document)
    if form == "pretty":
        return json.dumps(document, indent=2, ensure_ascii=draw(st.booleans()))
    if form == "broken":
        return json.dumps(document)[:-1]
    return draw(junk) if form == "junk" else document


# Anything at all, for every option.
hostile_arguments = st.fixed_dictionaries({}, optional={
    "resource_arn": st.one_of(model_arns(), junk),
    "model_arn": model_arns(),
    "resource_arns": st.one_of(st.lists(st.one_of(model_arns(), junk), max_size=3), junk),
    "state": st.one_of(st.sampled_from(["present", "absent"]), junk),
    "principals": principal_lists,
    "purge_principals": st.one_of(st.booleans(), st.sampled_from(["yes", "no", "maybe"]), junk),
    "statement_id": st.one_of(st.just("ResourcePolicyForImportModel"), st.text(max_size=140), junk),
    "policy": policies(),
    "allow_wildcard_principal": st.one_of(st.booleans(), junk),
    "not_an_option": junk,
})

# What a user could plausibly write, with a mistake now and then.
good_partitions = st.sampled_from(["aws", "aws", "aws", "aws-cn", "aws-us-gov"])
good_names = st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,15}\Z")
good_arns = st.builds("arn:{}:comprehend:us-west-2:111122223333:{}/{}{}".format, good_partitions,
                      st.sampled_from(["document-classifier", "entity-recognizer"]), good_names,
                      st.one_of(st.just(""), good_names.map("/version/{}".format)))
good_principals = st.one_of(
    st.sampled_from(["123456789012", "444455556666", "arn:aws:iam::444455556666:user/jane",
                     "arn:aws:iam::123456789012:role/team/ExampleRole", "arn:aws:iam::123456789012:root",
                     "comprehend.amazonaws.com", "*"]),
    st.from_regex(r"\A[0-9]{12}\Z"), principal_values)
good_statements = st.builds(
    lambda sid, effect, action, principal: {"Sid": sid, "Effect": effect, "Action": action, "Resource": "*",
                                            "Principal": principal},
    st.sampled_from(["ResourcePolicyForImportModel", "Other", "Third"]), st.sampled_from(["Allow", "Allow", "Deny"]),
    st.sampled_from([IMPORT_ACTION, [IMPORT_ACTION], "comprehend:importmodel", "comprehend:*"]),
    st.one_of(st.dictionaries(st.sampled_from(["AWS", "Service"]), st.lists(good_principals, min_size=1, max_size=3),
                              min_size=1), st.just("*")))
good_policies = st.builds(lambda statements_, as_text: json.dumps(statements_) if as_text else statements_,
                          st.builds(lambda items: {"Version": "2012-10-17", "Statement": items},
                                    st.lists(good_statements, min_size=1, max_size=3)), st.booleans())


@st.composite
def plausible_arguments(draw):
    arns = st.one_of(good_arns, good_arns, good_arns, model_arns())
    if draw(st.integers(0, 3)) == 0:  # several versions, now and then one twice
        params = {"resource_arns": draw(st.lists(arns, min_size=1, max_size=3).map(lambda items: items + items[:1]))}
    else:
        params = {"resource_arn": draw(arns)}
    params["state"] = draw(st.sampled_from(["present", "present", "absent"]))
    mode = draw(st.sampled_from(["principals", "principals", "policy", "neither"]))
    if mode == "principals":
        params["principals"] = draw(st.lists(good_principals, max_size=5))
        params["purge_principals"] = draw(st.booleans())
    elif mode == "policy":
        params["policy"] = draw(good_policies)
    if draw(st.booleans()):
        params["statement_id"] = draw(st.sampled_from(["ResourcePolicyForImportModel", "Other", "Share with B", ""]))
    params["allow_wildcard_principal"] = draw(st.integers(0, 5)) == 0
    return params


arguments = st.one_of(hostile_arguments, plausible_arguments())

# ---------------------------------------------------------------- what a valid request must be


def assert_valid_call(operation, params):
    """botocore's own validation, plus the max and pattern limits it leaves to the service."""
    shape = COMPREHEND.operation_model(operation).input_shape
    validate_parameters(params, shape)
    for name, value in params.items():
        metadata = shape.members[name].metadata
        assert len(value) <= metadata.get("max", len(value)), (name, len(value))
        assert re.fullmatch(metadata["pattern"], value), (name, value[:80])


class ValidatingStore:
    """An in-memory resource policy whose writes must be valid Comprehend requests."""

    def __init__(self, arn, policy=None):
        self.arn = arn
        self.text = None if policy is None else json.dumps(policy)
        self.revision = 1
        self.writes = 0

    what = "the resource policy"
    details = {}

    def read(self):
        return None if self.text is None else Stored(self.text, f"{self.revision:032x}")

    def _params(self, revision_id, **params):
        params["ResourceArn"] = self.arn
        if revision_id is not None:
            assert revision_id == f"{self.revision:032x}"
            params["PolicyRevisionId"] = revision_id
        self.writes += 1
        self.revision += 1
        return params

    def write(self, document, revision_id):
        """What ModelPolicyStore.write sends: DeleteResourcePolicy for None, else PutResourcePolicy of the rendered text."""
        if document is None:
            assert_valid_call("DeleteResourcePolicy", self._params(revision_id))
            self.text = None
            return None
        self.text = render_policy(document)
        assert_valid_call("PutResourcePolicy", self._params(revision_id, ResourcePolicy=self.text))
        return f"{self.revision:032x}"


def assert_grants_only_import(policy, request, allow_wildcard):
    for statement in statements_of(policy):
        if statement == FOREIGN:
            continue
        assert {action.lower() for action in as_list(statement["Action"])} == {IMPORT_ACTION.lower()}
        assert "NotAction" not in statement and "NotPrincipal" not in statement
        principal = statement["Principal"]
        values = ["*"] if principal == "*" else [value for items in principal.values() for value in as_list(items)]
        if statement["Effect"] == "Allow" and not allow_wildcard:
            assert "*" not in values and "arn:aws:iam::*:root" not in values
        for value in values:
            # IAM's naming rules: ASCII only, and no * but the wildcard principal's own.
            assert value.isascii() and (value == "*" or "*" not in value.split(":", 5)[-1]), value
            if value.startswith("arn:"):
                assert value.split(":")[1] == request.model.partition, value


def check_valid_request(request, allow_wildcard):
    """Run the request against three starting points; check the writes, the result, and idempotence."""
    owned_before = {"Sid": request.statement_id, "Effect": "Allow", "Action": IMPORT_ACTION, "Resource": "*",
                    "Principal": {"AWS": [f"arn:{request.model.partition}:iam::123456789012:root", "444455556666"]}}
    for start in (None, {"Version": "2012-10-17", "Statement": [FOREIGN]},
                  {"Version": "2012-10-17", "Statement": [FOREIGN, owned_before]}):
        store = ValidatingStore(request.model.arn, start)
        try:
            outcome = converge(store, ResourcePolicyPlanner(request))
        except InvalidInputError as error:  # e.g. the merged policy would pass 20,000 characters
            assert "characters" in str(error) and store.writes == 0
            continue
        attached = None if store.text is None else json.loads(store.text)
        assert outcome.after == attached
        if attached is not None:
            assert_grants_only_import(attached, request, allow_wildcard)
            if start is not None and request.policy is None:
                assert FOREIGN in attached["Statement"]  # never touched
        if request.principals is not None and request.state == "present" and request.purge:
            assert set(owned_principals(attached, request)) == {principal.value for principal in request.principals}
        if request.principals is not None and request.state == "absent":
            assert not set(owned_principals(attached, request)) & {principal.value for principal in request.principals}
        writes = store.writes
        assert not converge(store, ResourcePolicyPlanner(request)).changed
        assert store.writes == writes


def check_one(params):
    """'ansible' / 'invalid' for a clean failure, 'valid' for requests AWS would accept."""
    validated = VALIDATOR.validate(params)
    if validated.error_messages:
        assert all(isinstance(message, str) and message for message in validated.error_messages)
        return "ansible"
    try:
        requests = build_requests(validated.validated_parameters)
    except InvalidInputError as error:
        assert str(error)
        return "invalid"
    assert requests and len({request.model.arn for request in requests}) == len(requests)
    for request in requests:
        check_valid_request(request, validated.validated_parameters["allow_wildcard_principal"])
    return "valid"


def test_fuzz_argument_handling():
    outcomes = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(params=arguments)
    def run(params):
        outcomes[check_one(params)] += 1

    run()
    assert sum(outcomes.values()) >= 1000, outcomes
    # The generators must reach every ending, or the test proves little.
    assert min(outcomes["ansible"], outcomes["invalid"], outcomes["valid"]) >= 50, outcomes
