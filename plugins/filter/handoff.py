# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that build and check the owner -> importer handoff; the logic lives in plugin_utils/handoff.py."""

from __future__ import annotations

from functools import wraps

from ansible.errors import AnsibleFilterError

from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_iam_name
from ansible_collections.seed.comprehend.plugins.module_utils.arns import check_key_arn
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import build_handoff
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_handoff
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_own_key
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import check_handoff_path
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import importer_role_policy
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import plan_imports
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import role_key_policies
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_key_principals
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_regions
from ansible_collections.seed.comprehend.plugins.plugin_utils.handoff import share_summary


def _filter(function):
    """Report refused input as a filter error: a clear task failure, not a traceback."""
    @wraps(function)
    def checked(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except InvalidInputError as error:
            raise AnsibleFilterError(str(error)) from None
    return checked


def share_handoff(models, policies, key_grants=None):
    return build_handoff(list(models), list(policies), None if key_grants is None else list(key_grants))


def checked_iam_name(value, option="import_model_role_name"):
    return check_iam_name(value, option)


def checked_key_arn(value, option="import_model_kms_key_arn"):
    return check_key_arn(value, option)


class FilterModule:
    def filters(self):
        return {
            "share_handoff": _filter(share_handoff),
            "checked_handoff": _filter(check_handoff),
            "checked_iam_name": _filter(checked_iam_name),
            "checked_key_arn": _filter(checked_key_arn),
            "checked_own_key": _filter(check_own_key),
            "importer_role_policy": importer_role_policy,
            "import_plan": _filter(plan_imports),
            "role_key_policies": _filter(role_key_policies),
            "share_key_principals": _filter(share_key_principals),
            "share_regions": _filter(share_regions),
            "share_summary": share_summary,
            "share_handoff_path": _filter(check_handoff_path),
        }
