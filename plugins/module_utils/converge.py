# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one read -> plan -> write loop every policy the collection edits goes through (pure: no boto3 here).

A store reads and writes one policy document (a model version's resource policy, a key policy); a planner says
what the task's request makes of the document as read. The loop re-plans on a revision conflict and reads back
every write that could not name a revision.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Protocol

from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError

# Upper bound of the first retry pause, doubled each retry up to the cap (seconds). Writers that retry after the
# same fixed pause meet again; a random pause spreads them out.
RETRY_BASE_SECONDS = 0.25
RETRY_CAP_SECONDS = 4.0
# How long a write without a revision is left before it is read back: a concurrent writer that read the old
# document lands its write in this window, and the read-back sees it.
SETTLE_SECONDS = 0.25
# Reads and writes in a row that may meet another writer before the task gives up.
MAX_ATTEMPTS = 10


class StaleRevisionError(Exception):
    """A conditional write was refused because the document changed after it was read: read and plan again."""


@dataclass(frozen=True)
class Stored:
    """A document as its store hands it back, and the revision a conditional write must name (None: none)."""

    document: Any
    revision_id: Optional[str] = None


@dataclass(frozen=True)
class Change:
    """What a request makes of one document as read."""

    before: Any  # the document as read, parsed as far as the planner can; None: no document
    after: Any  # the document wanted, ``before`` itself when nothing changes; None: delete it
    changed: bool
    detail: Any = None  # what the planner reports besides the document (the grants of a key policy, say)


@dataclass(frozen=True)
class Outcome:
    """What converge did (or, in check mode, would do)."""

    changed: bool
    before: Any  # as first read
    after: Any  # as written (and read back), the planned document in check mode
    revision_id: Optional[str]
    change: Change  # the last plan


class PolicyStore(Protocol):
    """Where one policy document lives."""

    what: str  # "the resource policy of ARN", for messages
    details: Dict[str, Any]  # what a failure returns besides its message, such as the ARN

    def read(self) -> Optional[Stored]:
        """The document, None when there is none."""

    def write(self, document: Any, revision_id: Optional[str]) -> Optional[str]:
        """Write the document (None: delete it), conditional on revision_id when given; return the new revision.
        Raises StaleRevisionError when the revision is no longer current."""


class Planner(Protocol):
    """What a task's request makes of a document."""

    def plan(self, stored: Optional[Stored]) -> Change:
        """The change; raises before any write when the result can't be written."""

    def lost(self, written: Change, read_back: Change) -> List[str]:
        """What of a written change a later read lacks; empty when it holds."""


def retry_pause(attempt: int) -> float:
    """Full-jitter pause before retry number ``attempt`` (1 for the first retry)."""
    return random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** attempt))


def settle_pause() -> float:
    """Pause before reading back an unconditional write, jittered so that writers don't read back in step."""
    return SETTLE_SECONDS * random.uniform(0.5, 1.5)


def converge(store: PolicyStore, planner: Planner, check_mode: bool = False, attempts: int = MAX_ATTEMPTS,
             sleep: Callable[[float], None] = time.sleep, first_read: Optional[Stored] = None) -> Outcome:
    """Read, plan, and write only when the meaning changes; on interference read and plan again.

    ``first_read`` is a document the caller has read already: a write on it names its revision, so a change since is
    caught; a document without a revision is always read here, right before the unconditional write it leads to.
    """
    before: Any = None
    written = False
    problems: List[str] = []
    for attempt in range(attempts):
        if attempt:
            sleep(retry_pause(attempt))
        reuse = attempt == 0 and first_read is not None and first_read.revision_id is not None
        stored = first_read if reuse else store.read()
        change = planner.plan(stored)
        if attempt == 0:
            before = change.before
        revision_id = stored.revision_id if stored else None
        if not change.changed:
            return Outcome(written, before, change.after, revision_id, change)
        if check_mode:
            return Outcome(True, before, change.after, None, change)
        try:
            new_revision_id = store.write(change.after, revision_id)
        except StaleRevisionError:
            continue
        written = True
        if revision_id is not None:
            return Outcome(True, before, change.after, new_revision_id, change)
        # AWS has no conditional first write of a resource policy and no conditional key-policy write at all, so a
        # writer that read the same document may overwrite this write unseen: read it back once such a write would
        # have landed, and apply the change again if it was lost.
        sleep(settle_pause())
        read_back = planner.plan(store.read())
        problems = planner.lost(change, read_back)
        if not problems:
            return Outcome(True, before, read_back.before, new_revision_id, change)
    last = f"; last time {'; '.join(problems)}" if problems else ""
    raise OperationError(
        f"{store.what} changed under this task {attempts} times in a row (another writer is busy{last}); nothing of "
        "the other writes was lost: run the task again", **store.details)
