# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one read -> plan -> write loop every policy the collection edits goes through (pure: no boto3 here).

A store reads and writes one policy document (a model version's resource policy, a key policy); a planner says
what the task's request makes of the document as read. The loop re-plans on a revision conflict and reads back
every write that could not name a revision. It runs over one document or many at once, in rounds: every document of a
round is read and planned before the first write, and the writes that need a read-back share one settle pause.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence, Tuple

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


@dataclass(frozen=True)
class Read:
    """What a caller's read of a document found (stored None: no document), for the loop to plan its first round on."""

    stored: Optional[Stored]


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


# How converge_many runs a step over its documents: (result, None) or (None, error) per item, in order. The modules
# pass aws.concurrently; the default runs them one after the other and lets an error through.
MapItems = Callable[[Callable[[Any], Any], Sequence[Any]], List[Tuple[Any, Optional[BaseException]]]]


def one_by_one(function: Callable[[Any], Any], items: Sequence[Any]) -> List[Tuple[Any, Optional[BaseException]]]:
    return [(function(item), None) for item in items]


class PlanRefused(Exception):
    """A document of the first round could not be read or planned: nothing was written. ``failed`` holds the index
    and error of each such document."""

    def __init__(self, failed: List[Tuple[int, BaseException]]) -> None:
        super().__init__("; ".join(str(error) for _index, error in failed))
        self.failed = failed


class _Run:
    """One document's way through converge_many."""

    def __init__(self, store: PolicyStore, planner: Planner, first_read: Optional[Read]) -> None:
        self.store = store
        self.planner = planner
        self.first_read = first_read
        self.before: Any = None
        self.written = False
        self.problems: List[str] = []
        self.outcome: Optional[Outcome] = None
        self.error: Optional[BaseException] = None
        self.stored: Optional[Stored] = None
        self.change: Optional[Change] = None
        self.unconfirmed: Optional[Tuple[Change, Optional[str]]] = None  # an unconditional write to read back

    def plan(self, attempt: int) -> None:
        reuse = attempt == 0 and self.first_read is not None
        self.stored = self.first_read.stored if reuse else self.store.read()
        self.change = self.planner.plan(self.stored)
        if attempt == 0:
            self.before = self.change.before

    def write(self, check_mode: bool) -> None:
        change, revision_id = self.change, self.stored.revision_id if self.stored else None
        if not change.changed:
            self.outcome = Outcome(self.written, self.before, change.after, revision_id, change)
            return
        if check_mode:
            self.outcome = Outcome(True, self.before, change.after, None, change)
            return
        try:
            new_revision_id = self.store.write(change.after, revision_id)
        except StaleRevisionError:
            return
        self.written = True
        if revision_id is not None:
            self.outcome = Outcome(True, self.before, change.after, new_revision_id, change)
        else:
            self.unconfirmed = (change, new_revision_id)

    def read_back(self) -> None:
        (change, new_revision_id), self.unconfirmed = self.unconfirmed, None
        read_back = self.planner.plan(self.store.read())
        self.problems = self.planner.lost(change, read_back)
        if not self.problems:
            self.outcome = Outcome(True, self.before, read_back.before, new_revision_id, change)

    def given_up(self, attempts: int) -> OperationError:
        last = f"; last time {'; '.join(self.problems)}" if self.problems else ""
        return OperationError(
            f"{self.store.what} changed under this task {attempts} times in a row (another writer is busy{last}); nothing "
            "of the other writes was lost: run the task again", **self.store.details)


def _step(runs: List[_Run], step: Callable[[_Run], None], map_items: MapItems) -> None:
    for run, (_result, error) in zip(runs, map_items(step, runs)):
        run.error = run.error or error


def converge_many(stores: Sequence[PolicyStore], planners: Sequence[Planner], check_mode: bool = False,
                  attempts: int = MAX_ATTEMPTS, sleep: Callable[[float], None] = time.sleep,
                  first_reads: Optional[Sequence[Optional[Read]]] = None,
                  map_items: MapItems = one_by_one) -> List[Tuple[Optional[Outcome], Optional[BaseException]]]:
    """Read, plan, and write only what changes meaning, for each store with its planner; on interference read and plan
    that document again. Returns (outcome, None) or (None, error) per store, in order.

    The first round reads and plans every document before the first write, and raises PlanRefused, nothing written,
    when one fails. A ``first_reads`` item is a read the caller made already, planned on instead of reading again: a
    write on a document read with a revision names it, so a change since is caught; a first document is written
    unconditionally whenever it was read, so the caller passes a read as recent as it can.
    """
    runs = [_Run(store, planner, first_reads[index] if first_reads else None)
            for index, (store, planner) in enumerate(zip(stores, planners))]
    active = runs
    for attempt in range(attempts):
        if attempt:
            sleep(retry_pause(attempt))
        _step(active, lambda run, attempt=attempt: run.plan(attempt), map_items)
        if attempt == 0 and any(run.error for run in runs):
            raise PlanRefused([(index, run.error) for index, run in enumerate(runs) if run.error])
        _step([run for run in active if not run.error], lambda run: run.write(check_mode), map_items)
        unconfirmed = [run for run in active if run.unconfirmed and not run.error]
        if unconfirmed:
            # AWS has no conditional first write of a resource policy and no conditional key-policy write at all, so a
            # writer that read the same document may overwrite such a write unseen: read it back once a concurrent
            # write would have landed, and apply the change again if it was lost. One pause serves the whole round.
            sleep(settle_pause())
            _step(unconfirmed, _Run.read_back, map_items)
        active = [run for run in active if run.outcome is None and run.error is None]
        if not active:
            break
    for run in active:
        run.error = run.given_up(attempts)
    return [(run.outcome, run.error) for run in runs]


def converge(store: PolicyStore, planner: Planner, check_mode: bool = False, attempts: int = MAX_ATTEMPTS,
             sleep: Callable[[float], None] = time.sleep, first_read: Optional[Read] = None) -> Outcome:
    """converge_many of one document: its outcome, or its own error."""
    try:
        ((outcome, error),) = converge_many([store], [planner], check_mode, attempts, sleep,
                                            None if first_read is None else [first_read])
    except PlanRefused as refused:
        raise refused.failed[0][1] from None
    if error:
        raise error
    return outcome
