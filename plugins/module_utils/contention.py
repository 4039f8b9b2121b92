# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pauses for writers that meet each other on one policy (pure: no boto3 here).

Writers that retry after the same fixed pause meet again; a random pause spreads them out.
"""

from __future__ import annotations

import random

# Upper bound of the first retry pause, doubled each retry up to the cap (seconds).
RETRY_BASE_SECONDS = 0.25
RETRY_CAP_SECONDS = 4.0
# How long a write without a revision (the first resource policy, any key policy) is left before it is read back:
# a concurrent writer that read the old document lands its write in this window, and the read-back sees it.
SETTLE_SECONDS = 0.25


def retry_pause(attempt: int) -> float:
    """Full-jitter pause before retry number ``attempt`` (1 for the first retry)."""
    return random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** attempt))


def settle_pause() -> float:
    """Pause before reading back an unconditional write, jittered so that writers don't read back in step."""
    return SETTLE_SECONDS * random.uniform(0.5, 1.5)
