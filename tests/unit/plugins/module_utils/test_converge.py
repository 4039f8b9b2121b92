# -*- coding: utf-8 -*-
# Copyright: seed.comprehend contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the one read -> plan -> write loop (converge.converge) over an in-memory store: first with a small
planner of a flat document, then with ResourcePolicyPlanner on a model version's resource policy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils import converge as converge_module
from ansible_collections.seed.comprehend.plugins.module_utils.converge import MAX_ATTEMPTS
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Change
from ansible_collections.seed.comprehend.plugins.module_utils.converge import PlanRefused
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Read
from ansible_collections.seed.comprehend.plugins.module_utils.converge import StaleRevisionError
from ansible_collections.seed.comprehend.plugins.module_utils.converge import Stored
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge
from ansible_collections.seed.comprehend.plugins.module_utils.converge import converge_many
from ansible_collections.seed.comprehend.plugins.module_utils.converge import retry_pause
from ansible_collections.seed.comprehend.plugins.module_utils.converge import settle_pause
from ansible_collections.seed.comprehend.plugins.module_utils.errors import InvalidInputError
from ansible_collections.seed.comprehend.plugins.module_utils.errors import OperationError
from ansible_collections.seed.comprehend.plugins.module_utils._iam.policy_document import policies_equal
from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.resource_policy import ResourcePolicyPlanner
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import ARN
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import FOREIGN
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import GUIDE_POLICY
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import JANE
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import ROLE
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import SERVICE
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import owned
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import policy_of
from ansible_collections.seed.comprehend.tests.unit.plugins.module_utils._comprehend.test_resource_policy import request

WHAT = "the test document"


class MemoryStore:
    """converge.PolicyStore of one document held as JSON text, with hex revisions. Like a resource policy on AWS, a
    first document is written without a revision, and every other write must name the current one; ``before_write``
    lets a competing writer in just before a conditional write lands."""

    def __init__(self, document: Any = None, before_write: Optional[Callable[["MemoryStore"], None]] = None,
                 what: str = WHAT, details: Optional[Dict[str, Any]] = None) -> None:
        self.text = None if document is None else json.dumps(document)
        self.revision = 0
        self.writes: List[Tuple[str, Optional[str]]] = []
        self.reads = 0
        self.before_write = before_write
        self.what = what
        self.details = details or {}

    @property
    def revision_id(self) -> Optional[str]:
        return f"{self.revision:032x}" if self.text is not None else None

    @property
    def document(self) -> Any:
        return None if self.text is None else json.loads(self.text)

    def compete(self, document: Any) -> None:
        """Another writer's write."""
        self.text = None if document is None else json.dumps(document)
        self.revision += 1

    def read(self) -> Optional[Stored]:
        self.reads += 1
        return None if self.text is None else Stored(self.text, self.revision_id)

    def write(self, document: Any, revision_id: Optional[str]) -> Optional[str]:
        operation = "delete" if document is None else "put"
        self.writes.append((operation, revision_id))
        if revision_id is not None or self.text is not None or document is None:
            if self.before_write:
                self.before_write(self)
            if revision_id != self.revision_id:
                raise StaleRevisionError(revision_id)
        self.compete(document)
        return self.revision_id


@dataclass(frozen=True)
class SetKeys:
    """converge.Planner that wants ``keys`` set in a flat JSON object, keeping its other keys; None: no document."""

    keys: Optional[Dict[str, Any]]

    def plan(self, stored: Optional[Stored]) -> Change:
        before = None if stored is None else json.loads(stored.document)
        after = None if self.keys is None else dict(before or {}, **self.keys)
        if after == before:
            return Change(before, before, False)
        return Change(before, after, True, detail=sorted(self.keys or {}))

    def lost(self, written: Change, read_back: Change) -> List[str]:
        return [f"{', '.join(written.detail)} not read back"] if read_back.changed else []


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# ---------------------------------------------------------------- the loop, with a small planner


def test_unchanged_reads_once_and_writes_nothing():
    store = MemoryStore({"a": 1})
    outcome = converge(store, SetKeys({"a": 1}))
    assert (outcome.changed, outcome.before, outcome.after, outcome.revision_id) == (False, {"a": 1}, {"a": 1}, store.revision_id)
    assert not outcome.change.changed
    assert store.reads == 1 and store.writes == []


def test_a_write_names_the_revision_it_read_and_is_not_read_back():
    store = MemoryStore({"a": 1})
    revision = store.revision_id
    sleeps = Sleeps()
    outcome = converge(store, SetKeys({"b": 2}), sleep=sleeps)
    assert store.writes == [("put", revision)] and store.document == {"a": 1, "b": 2}
    assert (outcome.changed, outcome.before, outcome.after) == (True, {"a": 1}, {"a": 1, "b": 2})
    assert outcome.revision_id == store.revision_id != revision
    assert store.reads == 1 and sleeps == []


def test_check_mode_writes_nothing():
    store = MemoryStore({"a": 1})
    outcome = converge(store, SetKeys({"b": 2}), check_mode=True)
    assert (outcome.changed, outcome.after, outcome.revision_id) == (True, {"a": 1, "b": 2}, None)
    assert store.writes == [] and store.document == {"a": 1}


def test_a_delete_names_the_revision_it_read():
    store = MemoryStore({"a": 1})
    revision = store.revision_id
    outcome = converge(store, SetKeys(None))
    assert (outcome.changed, outcome.after, outcome.revision_id) == (True, None, None)
    assert store.writes == [("delete", revision)] and store.document is None
    assert not converge(store, SetKeys(None)).changed and len(store.writes) == 1


def test_a_stale_revision_is_read_and_planned_again_after_a_pause():
    def other_writer(store):
        store.before_write = None
        store.compete({"a": 1, "c": 3})

    store = MemoryStore({"a": 1}, before_write=other_writer)
    sleeps = Sleeps()
    outcome = converge(store, SetKeys({"b": 2}), sleep=sleeps)
    assert outcome.changed and store.document == {"a": 1, "b": 2, "c": 3}
    assert outcome.before == {"a": 1}, "before is the document as first read"
    assert store.reads == 2 and len(store.writes) == 2 and len(sleeps) == 1


def test_a_stale_revision_with_nothing_left_to_do_writes_nothing_more():
    def other_writer(store):
        store.before_write = None
        store.compete({"a": 1, "b": 2})

    store = MemoryStore({"a": 1}, before_write=other_writer)
    outcome = converge(store, SetKeys({"b": 2}))
    assert not outcome.changed and outcome.revision_id == store.revision_id and len(store.writes) == 1


@pytest.mark.parametrize("attempts", [1, 3, MAX_ATTEMPTS])
def test_gives_up_after_bounded_attempts(attempts):
    store = MemoryStore({"a": 1}, before_write=lambda s: s.compete(s.document), details={"resource": "doc"})
    kwargs = {} if attempts == MAX_ATTEMPTS else {"attempts": attempts}
    with pytest.raises(OperationError) as caught:
        converge(store, SetKeys({"b": 2}), **kwargs)
    assert str(caught.value) == (
        f"the test document changed under this task {attempts} times in a row (another writer is busy); nothing of "
        "the other writes was lost: run the task again")
    assert caught.value.details == {"resource": "doc"}
    assert len(store.writes) == attempts == store.reads


def test_an_unconditional_write_is_read_back_and_reapplied_when_lost():
    store = MemoryStore()
    sleeps = Sleeps()

    def overwrite_while_settling(seconds):
        sleeps(seconds)
        if len(sleeps) == 1:  # the other first writer lands during our settle pause
            store.compete({"c": 3})

    outcome = converge(store, SetKeys({"b": 2}), sleep=overwrite_while_settling)
    assert outcome.changed and store.document == {"b": 2, "c": 3}
    assert [revision is None for _operation, revision in store.writes] == [True, False], "the second write is conditional"
    assert store.reads == 3, "read, read back, read again"


def test_an_unconditional_write_read_back_intact_is_done():
    store = MemoryStore()
    outcome = converge(store, SetKeys({"b": 2}))
    assert outcome.changed and outcome.after == {"b": 2} == store.document
    assert outcome.revision_id == store.revision_id and store.reads == 2 and len(store.writes) == 1


def test_lost_every_time_gives_up_saying_what_was_lost():
    store = MemoryStore()

    def delete_while_settling(_seconds):
        store.compete(None)  # the next write is unconditional again

    with pytest.raises(OperationError, match=(
            r"^the test document changed under this task 2 times in a row \(another writer is busy; last time b not read "
            r"back\); nothing of the other writes was lost: run the task again$")):
        converge(store, SetKeys({"b": 2}), attempts=2, sleep=delete_while_settling)
    assert store.writes == [("put", None), ("put", None)]


def test_a_first_read_with_a_revision_is_reused():
    store = MemoryStore({"a": 1})
    outcome = converge(store, SetKeys({"b": 2}), first_read=Read(store.read()))
    assert outcome.changed and store.reads == 1, "converge read nothing more before its conditional write"
    assert not converge(store, SetKeys({"b": 2}), first_read=Read(store.read())).changed and store.reads == 2


def test_a_first_read_of_no_document_is_written_on_then_read_back():
    """The caller vouches for its read: the first document is written without reading again, and read back."""
    store = MemoryStore()
    sleeps = Sleeps()
    outcome = converge(store, SetKeys({"b": 2}), first_read=Read(None), sleep=sleeps)
    assert outcome.before is None and store.document == {"b": 2} and outcome.changed
    assert store.reads == 1 and len(sleeps) == 1, "only the read-back, after the settle pause"


def test_a_refusal_of_the_plan_stops_before_any_write():
    class Refusing(SetKeys):
        def plan(self, stored):
            raise InvalidInputError("too large")

    store = MemoryStore({"a": 1})
    with pytest.raises(InvalidInputError, match="too large"):
        converge(store, Refusing({"b": 2}))
    assert store.writes == []


def test_pauses_are_jittered_and_bounded(monkeypatch):
    monkeypatch.setattr(converge_module, "RETRY_BASE_SECONDS", 0.25)
    monkeypatch.setattr(converge_module, "SETTLE_SECONDS", 0.25)
    assert all(0 <= retry_pause(attempt) <= min(4.0, 0.25 * 2 ** attempt) for attempt in range(1, 12) for _draw in range(20))
    assert all(0.125 <= settle_pause() <= 0.375 for _draw in range(20))


# ---------------------------------------------------------------- the loop, with ResourcePolicyPlanner


def policy_store(policy=None, before_write=None):
    return MemoryStore(policy, before_write, what=f"the resource policy of {ARN}", details={"resource_arn": ARN})


def test_resource_policy_created_then_rerun_without_writing():
    store = policy_store()
    planner = ResourcePolicyPlanner(request(principals=[JANE, "123456789012"]))
    first = converge(store, planner)
    assert first.changed and first.before is None and first.revision_id == store.revision_id
    assert store.writes == [("put", None)]
    assert policies_equal(store.document, GUIDE_POLICY, "aws")
    second = converge(store, planner)
    assert (second.changed, second.before, second.after, second.revision_id) == (
        False, store.document, store.document, store.revision_id)
    assert len(store.writes) == 1


def test_resource_policy_write_passes_the_revision_it_read():
    store = policy_store(policy_of(FOREIGN))
    revision = store.revision_id
    converge(store, ResourcePolicyPlanner(request(principals=[JANE])))
    assert store.writes == [("put", revision)]
    assert store.document["Statement"] == [FOREIGN, owned({"AWS": JANE})]


def test_resource_policy_check_mode_writes_nothing():
    store = policy_store(policy_of(FOREIGN))
    outcome = converge(store, ResourcePolicyPlanner(request(principals=[JANE])), check_mode=True)
    assert outcome.changed and outcome.revision_id is None
    assert outcome.after["Statement"] == [FOREIGN, owned({"AWS": JANE})]
    assert store.writes == [] and store.document == policy_of(FOREIGN)


def test_resource_policy_deleted_with_revision():
    store = policy_store(policy_of(FOREIGN))
    revision = store.revision_id
    outcome = converge(store, ResourcePolicyPlanner(request(state="absent")))
    assert outcome.changed and outcome.after is None and outcome.revision_id is None
    assert store.writes == [("delete", revision)] and store.document is None
    assert not converge(store, ResourcePolicyPlanner(request(state="absent"))).changed


def test_resource_policy_unreadable_text_replaced_with_a_whole_policy():
    store = policy_store()
    store.text = "garbage"
    outcome = converge(store, ResourcePolicyPlanner(request(policy=GUIDE_POLICY)))
    assert outcome.changed and outcome.before == "garbage" and store.document == GUIDE_POLICY


def test_resource_policy_stale_revision_merges_both_changes():
    def other_writer(store):
        store.before_write = None
        store.compete(policy_of(FOREIGN, owned({"AWS": [JANE, ROLE]})))

    store = policy_store(policy_of(owned({"AWS": JANE})), before_write=other_writer)
    outcome = converge(store, ResourcePolicyPlanner(request(principals=[SERVICE], purge_principals=False)))
    assert outcome.changed and store.reads == 2 and len(store.writes) == 2
    assert store.document["Statement"][0] == FOREIGN
    assert store.document["Statement"][1]["Principal"] == {"AWS": [ROLE, JANE], "Service": SERVICE}


def test_resource_policy_stale_then_nothing_left_to_do():
    def other_writer(store):
        store.compete(policy_of(owned({"AWS": [JANE, ROLE]})))
        store.before_write = None

    store = policy_store(policy_of(owned({"AWS": JANE})), before_write=other_writer)
    outcome = converge(store, ResourcePolicyPlanner(request(principals=[ROLE], purge_principals=False)))
    assert not outcome.changed and outcome.revision_id == store.revision_id


def test_resource_policy_gives_up_after_bounded_attempts():
    store = policy_store(policy_of(owned({"AWS": JANE})), before_write=lambda s: s.compete(s.document))
    with pytest.raises(OperationError, match=f"^the resource policy of {ARN} changed under this task {MAX_ATTEMPTS} times in a row "
                                             r"\(another writer is busy\)") as caught:
        converge(store, ResourcePolicyPlanner(request(principals=[ROLE], purge_principals=False)))
    assert caught.value.details == {"resource_arn": ARN}
    assert len(store.writes) == MAX_ATTEMPTS == store.reads


def test_resource_policy_too_large_merge_refused_before_writing():
    roles = [f"arn:aws:iam::123456789012:role/role-with-a-long-name-{index:04d}" for index in range(600)]
    store = policy_store(policy_of(FOREIGN))
    with pytest.raises(InvalidInputError, match="the resulting policy is .* at most 20000"):
        converge(store, ResourcePolicyPlanner(request(principals=roles)))
    assert store.writes == []


def test_resource_policy_first_write_read_back_and_reapplied_when_another_first_writer_overwrote_it():
    """Two tasks both saw no policy; the other one's unconditional create lands after ours: ours is applied again."""
    mine = ResourcePolicyPlanner(request(principals=["111111111111"], purge_principals=False))
    theirs = policy_of(owned({"AWS": "arn:aws:iam::222222222222:root"}))
    store = policy_store()
    pauses = []

    def overwrite_while_settling(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:  # the other first writer lands during our settle pause
            store.compete(theirs)

    outcome = converge(store, mine, sleep=overwrite_while_settling)
    assert outcome.changed
    principals = sorted(store.document["Statement"][0]["Principal"]["AWS"])
    assert principals == ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
    assert [revision for _operation, revision in store.writes][1] is not None, "the second write is conditional"


def test_resource_policy_uses_the_callers_first_read():
    store = policy_store(policy_of(FOREIGN))
    planner = ResourcePolicyPlanner(request(principals=[JANE]))
    outcome = converge(store, planner, first_read=Read(store.read()))
    assert outcome.changed and store.reads == 1, "converge read nothing more before its conditional write"
    unchanged = converge(store, planner, first_read=Read(store.read()))
    assert not unchanged.changed and store.reads == 2 and len(store.writes) == 1


# ---------------------------------------------------------------- many documents at once


def test_many_documents_share_one_settle_pause_per_round():
    stores = [MemoryStore() for _index in range(5)] + [MemoryStore({"a": 1})]
    sleeps = Sleeps()
    results = converge_many(stores, [SetKeys({"b": 2})] * 6, sleep=sleeps, first_reads=[Read(None)] * 5 + [None])
    assert all(error is None and outcome.changed for outcome, error in results)
    assert len(sleeps) == 1, "one pause before all the read-backs"
    assert [store.reads for store in stores] == [1] * 5 + [1], "a read-back each; the last read once, written conditionally"
    assert all(store.document == {"b": 2} for store in stores[:5]) and stores[5].document == {"a": 1, "b": 2}


def test_many_documents_are_all_planned_before_the_first_write():
    class RefusesC(SetKeys):
        def plan(self, stored):
            if stored is not None and "c" in json.loads(stored.document):
                raise InvalidInputError("no c")
            return super().plan(stored)

    stores = [MemoryStore({"a": 1}), MemoryStore({"c": 1})]
    with pytest.raises(PlanRefused) as refused:
        converge_many(stores, [RefusesC({"b": 2})] * 2, map_items=guarded)
    assert [(index, str(error)) for index, error in refused.value.failed] == [(1, "no c")]
    assert stores[0].writes == [] == stores[1].writes


def guarded(function, items):
    """A MapItems that keeps each item's error, as aws.concurrently does."""
    results = []
    for item in items:
        try:
            results.append((function(item), None))
        except (InvalidInputError, OperationError) as error:
            results.append((None, error))
    return results


def test_many_documents_one_lost_every_time_fails_alone():
    busy = MemoryStore({"a": 1}, before_write=lambda s: s.compete(s.document), details={"resource": "busy"})
    calm = MemoryStore({"a": 1})
    results = converge_many([busy, calm], [SetKeys({"b": 2})] * 2, attempts=3, sleep=Sleeps(), map_items=guarded)
    (busy_outcome, busy_error), (calm_outcome, calm_error) = results
    assert busy_outcome is None and "changed under this task 3 times" in str(busy_error) and busy_error.details == {"resource": "busy"}
    assert calm_error is None and calm_outcome.changed and calm.document == {"a": 1, "b": 2} and len(calm.writes) == 1
