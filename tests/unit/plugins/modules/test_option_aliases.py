# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The aliases users try first reach the option they stand for, through Ansible's own argument validator."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.seed.comprehend.plugins.modules import comprehend_resource_policy
from ansible_collections.seed.comprehend.plugins.modules import kms_comprehend_grant

KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL_ARN = "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets/version/v1"


@pytest.mark.parametrize("spec, given, option, value", [
    (comprehend_resource_policy.ARGUMENT_SPEC, {"resource_arn": MODEL_ARN, "sid": "ShareTickets"}, "statement_id", "ShareTickets"),
    (kms_comprehend_grant.ARGUMENT_SPEC, {"key_arn": KEY_ARN}, "key_id", KEY_ARN),
])
def test_an_alias_sets_its_option(spec, given, option, value):
    result = ArgumentSpecValidator(spec).validate(given)
    assert result.error_messages == []
    assert result.validated_parameters[option] == value
