# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that build and check the owner -> importer handoff; the logic lives in module_utils/handoff.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import build_handoff
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import check_handoff_entry
from ansible_collections.seed.comprehend.plugins.module_utils.handoff import importer_role_policy


def share_handoff(models, principals):
    try:
        return build_handoff(list(models), list(principals))
    except InvalidInputError as error:
        raise AnsibleFilterError(str(error)) from None


def checked_handoff(entries):
    items = entries if isinstance(entries, list) else [entries]
    try:
        return [check_handoff_entry(entry) for entry in items]
    except InvalidInputError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule:
    def filters(self):
        return {"share_handoff": share_handoff, "checked_handoff": checked_handoff, "importer_role_policy": importer_role_policy}
