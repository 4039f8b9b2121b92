# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attributes every module of the collection documents the same way."""

from __future__ import annotations


class ModuleDocFragment:
    # Every module: it acts on AWS and belongs to the collection's action group.
    DOCUMENTATION = r"""
options: {}
attributes:
  platform:
    platforms: aws
  action_group:
    description: Use C(group/seed.comprehend.aws) in C(module_defaults) to set the connection options of this
      collection's modules and of amazon.aws's modules at once.
    support: full
    membership:
      - seed.comprehend.aws
"""

    # A module that may change AWS: check mode writes nothing, diff mode shows the documents before and after.
    CHANGES = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
"""
