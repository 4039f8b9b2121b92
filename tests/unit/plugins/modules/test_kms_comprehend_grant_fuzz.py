# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis over kms_comprehend_grant's argument handling, without AWS.

The module's argument spec (Ansible's own validator) runs first and checks types, defaults and choices; then the pure
build_grant_request() checks what the spec can't say (ARN shapes, the models' scope, principals). Whatever the input,
the outcome is a refusal by the spec, a canonical request, or an InvalidInputError whose message starts with the name
of the option at fault; never another exception.
"""

from __future__ import annotations

import re
import string

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.seed.comprehend.plugins.module_utils.arns import IAM_ENTITY_ARN_RE, ROOT_ARN_RE
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import parse_model_ref, build_grant_request
from ansible_collections.seed.comprehend.plugins.modules.kms_comprehend_grant import ARGUMENT_SPEC

OWNER = "111122223333"
REGION = "us-west-2"
KEY_ARN = f"arn:aws:kms:{REGION}:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OPTIONS = ("model_arns", "principals", "state", "purge_principals")
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,8}\Z")
ACCOUNTS = st.sampled_from([OWNER, "444455556666", "123456789012"]) | st.from_regex(r"\A[0-9]{12}\Z")
VALID_MODELS = st.one_of(
    st.builds(lambda kind, name, version: f"arn:aws:comprehend:{REGION}:{OWNER}:{kind}/{name}" + (f"/version/{version}" if version else ""),
              st.sampled_from(["document-classifier", "entity-recognizer"]), NAMES, st.none() | NAMES),
    st.builds(lambda name: f"arn:aws:comprehend:{REGION}:{OWNER}:document-classifier/{name}/version/*", NAMES),
    st.sampled_from(["arn:aws:comprehend:*", f"arn:aws:comprehend:{REGION}:{OWNER}:*"]),
)
VALID_PRINCIPALS = st.one_of(
    ACCOUNTS,
    ACCOUNTS.map(lambda account: f"arn:aws:iam::{account}:root"),
    st.builds(lambda account, kind, name: f"arn:aws:iam::{account}:{kind}/{name}", ACCOUNTS, st.sampled_from(["role", "user"]),
              st.from_regex(r"\A[A-Za-z0-9_+=,.@-]{1,20}\Z", fullmatch=True)),  # IAM's naming rules: ASCII only
)
# Text close to valid values: ARNs with parts swapped, wildcards, other accounts, regions and partitions.
ARN_PIECES = st.sampled_from(["arn", "aws", "aws-cn", "comprehend", "kms", "iam", REGION, "eu-west-1", OWNER, "444455556666",
                              "*", "?", "", "root", "role/x", "document-classifier/a", "version", "1", "x_y"])
NEAR_MISSES = st.lists(ARN_PIECES, min_size=1, max_size=7).flatmap(
    lambda pieces: st.sampled_from([":".join(pieces), "/".join(pieces), ":".join(pieces[:3]) + "/" + "/".join(pieces[3:])]))
ANY_TEXT = st.one_of(st.text(max_size=30), st.text(alphabet=string.printable, max_size=80), NEAR_MISSES)
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT,
                      st.lists(st.one_of(ANY_TEXT, st.integers(), st.none()), max_size=4),
                      st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
BAD_ITEMS = {"model_arns": st.one_of(ANY_TEXT, st.integers(), st.none()), "principals": st.one_of(ANY_TEXT, st.integers(), st.none())}


def check_request(result) -> None:
    """Invariants of an accepted request."""
    assert result.state in ("present", "absent") and isinstance(result.purge_principals, bool)
    assert len(set(result.models)) == len(result.models) and len(set(result.principals)) == len(result.principals)
    for model in result.models:
        assert parse_model_ref(model).value == model
    for principal in result.principals:
        assert "*" not in principal and (ROOT_ARN_RE.match(principal) or IAM_ENTITY_ARN_RE.match(principal))
    if result.state == "present":
        assert result.models and result.principals


def run_module_validation(params):
    """What the module does with its raw options before and after DescribeKey, minus AWS."""
    validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(params, key_id="alias/x"))
    if validated.error_messages:
        return None
    return build_grant_request(validated.validated_parameters, KEY_ARN)


@SETTINGS
@given(models=st.lists(VALID_MODELS, min_size=1, max_size=4), principals=st.lists(VALID_PRINCIPALS, min_size=1, max_size=4),
       state=st.sampled_from(["present", "absent"]), purge=st.booleans())
def test_valid_options_are_accepted(models, principals, state, purge):
    result = run_module_validation({"model_arns": models, "principals": principals, "state": state, "purge_principals": purge})
    check_request(result)
    assert len(result.models) == len(set(models))
    assert len(result.warnings) == len({model for model in models if "*" in model})


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(OPTIONS), ANY_VALUE, max_size=4))
def test_arbitrary_raw_options_through_the_argument_spec(params):
    try:
        result = run_module_validation(params)
    except InvalidInputError as error:
        assert re.match(rf"^({'|'.join(OPTIONS)})\b", str(error)), str(error)
    else:
        if result is not None:
            check_request(result)


@SETTINGS
@given(data=st.data(), option=st.sampled_from(["model_arns", "principals"]),
       models=st.lists(VALID_MODELS, min_size=1, max_size=3), principals=st.lists(VALID_PRINCIPALS, min_size=1, max_size=3))
def test_one_bad_item_is_blamed_on_its_option(data, option, models, principals):
    params = {"model_arns": models, "principals": principals, "state": data.draw(st.sampled_from(["present", "absent"]))}
    bad = data.draw(BAD_ITEMS[option])
    params[option] = params[option] + [bad]
    try:
        check_request(run_module_validation(params))
    except InvalidInputError as error:
        assert str(error).startswith(option), str(error)


@SETTINGS
@given(principal=st.one_of(st.just("*"), ACCOUNTS.map(lambda a: f"arn:aws:iam::{a}:role/*"), st.just("arn:aws:iam::*:root"),
                           ANY_TEXT.filter(lambda text: "*" in text)))
def test_wildcard_principals_are_always_refused(principal):
    try:
        run_module_validation({"model_arns": [f"arn:aws:comprehend:{REGION}:{OWNER}:*"], "principals": [principal]})
    except InvalidInputError as error:
        assert str(error).startswith("principals: ")
    else:
        raise AssertionError(f"{principal!r} was accepted")


@SETTINGS
@given(region=st.sampled_from(["us-east-1", "eu-west-1", REGION]), account=ACCOUNTS, name=NAMES)
def test_models_of_another_account_or_region_are_refused(region, account, name):
    assume((region, account) != (REGION, OWNER))
    model = f"arn:aws:comprehend:{region}:{account}:document-classifier/{name}/version/1"
    try:
        run_module_validation({"model_arns": [model], "principals": ["444455556666"]})
    except InvalidInputError as error:
        assert str(error).startswith(f"model_arns: {model!r} is in ")
    else:
        raise AssertionError(f"{model} was accepted for {KEY_ARN}")
