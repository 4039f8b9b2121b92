"""Fixtures of the documentation tests: the IAM policies of docs/iam/ against real plays on the emulator.

One emulator for the session. Every account gets an admin IAM user first; then the emulator's IAM enforcement
(tests/emulator/_auth.py) is switched on, and stays on while the plays run:

* ``granted``: the owner's and the importer's scenarios as IAM users holding exactly the documented policies
  (share, unshare; import with a new service role and the same import again; update of a role edited by hand;
  the audit, and the audit with audit_shares_fix as a user holding the audit and the share policies).
  Their call log is what the policies are compared with.
* ``denied``: for every action of each policy, the scenario as a user holding the policy less that action, with one
  model (see ``kinds_for``), up to the first step whose calls need the action in the granted runs (and that step
  once more if it succeeded, to see whether the play stays idempotent); for the audit policy, its ``audit`` step.

Worlds run concurrently, each as soon as what it depends on is done (see ``iam_scenarios`` for worlds).
"""

from __future__ import annotations

import shutil
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import iam_scenarios as scenarios  # noqa: E402  pylint: disable=wrong-import-position
from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position

WORKERS = 4  # plays at once: ansible-playbook is CPU bound, the machine has 2 cores, and the import plays poll
SOURCE_OWNER = "210000000000"
GRANTED_OWNER, GRANTED_IMPORTER, GRANTED_UPDATER = "110000000000", "310000000000", "310000000001"
GRANTED_AUDITOR = "130000000000"
# Where to look first for the step that needs an action: single-step worlds before a second run.
STEP_PREFERENCE = {"share": ("share", "unshare"), "import": ("import", "update", "import again")}
Steps = List[scenarios.StepResult]


def kinds_for(action: str) -> Tuple[str, ...]:
    """The one model a world without ``action`` shares or imports: the recognizer for the recognizer's own action,
    else the classifier, whose customer managed key brings in every KMS and IAM call (the granted runs use both)."""
    return ("recognizer",) if "EntityRecognizer" in action else ("classifier",)


def denied_owner(index: int) -> str:
    return f"1200000000{index:02d}"


def denied_importer(index: int) -> str:
    return f"3200000000{index:02d}"


def denied_auditor(index: int) -> str:
    return f"1400000000{index:02d}"


@dataclass
class Granted:
    """The scenarios' steps as run under the documented policies."""

    share: Steps
    imports: Steps
    audit: Steps = field(default_factory=list)

    def first_step(self, side: str, action: str) -> Optional[str]:
        """The step of a side (``share`` / ``import``) whose calls first need ``action``; None if none does."""
        needed = scenarios.IMPLICIT_PERMISSIONS.get(action, action)
        steps = {step.name: step for step in (self.share if side == "share" else self.imports)}
        return next((name for name in STEP_PREFERENCE[side] if name in steps and needed in steps[name].actions), None)


@dataclass
class Denied:
    """For each (side, action): the step that must fail without the action, and the steps as run without it."""

    expected: Dict[Tuple[str, str], Optional[str]]
    runs: Dict[Tuple[str, str], Steps]


@dataclass
class Runs:
    granted: Granted
    denied: Denied


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = scenarios.temporary_workdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def emulated() -> Iterator[scenarios.Emulated]:
    with Emulator() as emulator:
        yield scenarios.Emulated(emulator.url)


@pytest.fixture(scope="session")
def policies() -> Dict[str, dict]:
    return {"share": scenarios.load_policy(scenarios.SHARE_POLICY), "import": scenarios.load_policy(scenarios.IMPORT_POLICY),
            "audit": scenarios.load_policy(scenarios.AUDIT_POLICY)}


@pytest.fixture(scope="session")
def runs(emulated, policies, workdir) -> Runs:  # pylint: disable=too-many-locals
    share_policy, import_policy, audit_policy = policies["share"], policies["import"], policies["audit"]
    share_actions, import_actions = scenarios.policy_actions(share_policy), scenarios.policy_actions(import_policy)
    audit_actions = scenarios.policy_actions(audit_policy)
    denied_importers = [denied_importer(index) for index in range(len(import_actions))]
    accounts = [SOURCE_OWNER, GRANTED_OWNER, GRANTED_IMPORTER, GRANTED_UPDATER, GRANTED_AUDITOR]
    accounts += [denied_owner(index) for index in range(len(share_actions))] + denied_importers
    accounts += [denied_auditor(index) for index in range(len(audit_actions))]
    for account in accounts:
        emulated.admin(account)

    def world_run(make_world: Callable[[], scenarios.World], until: Optional[str] = None, rerun: bool = False) -> Steps:
        return make_world().run(emulated, workdir, until=until, rerun=rerun)

    emulated.control.set_options(**scenarios.EMULATOR_OPTIONS)
    emulated.control.set_iam_auth(True)
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            handoff_future = pool.submit(scenarios.share_source, emulated, SOURCE_OWNER,
                                         [GRANTED_IMPORTER, GRANTED_UPDATER] + denied_importers, workdir)
            granted_share = pool.submit(world_run, partial(scenarios.share_world, emulated, "granted-share", GRANTED_OWNER,
                                                           scenarios.for_accounts(share_policy, GRANTED_OWNER)))
            granted_audit = pool.submit(world_run, partial(
                scenarios.audit_world, emulated, "granted-audit", GRANTED_AUDITOR, scenarios.for_accounts(audit_policy, GRANTED_AUDITOR),
                workdir, fix_policy_text=scenarios.merged(scenarios.for_accounts(audit_policy, GRANTED_AUDITOR),
                                                          scenarios.for_accounts(share_policy, GRANTED_AUDITOR))))
            handoff = handoff_future.result()
            granted_imports = [
                pool.submit(world_run, partial(scenarios.import_world, emulated, f"granted-{'update' if stale else 'import'}",
                                               account, handoff, scenarios.for_accounts(import_policy, SOURCE_OWNER, account),
                                               stale_role=stale))
                for account, stale in ((GRANTED_IMPORTER, False), (GRANTED_UPDATER, True))
            ]

            expected: Dict[Tuple[str, str], Optional[str]] = {}
            futures: Dict[Tuple[str, str], Future] = {}
            granted = Granted(granted_share.result(), [])
            for index, action in enumerate(share_actions):
                owner, until = denied_owner(index), granted.first_step("share", action)
                policy = scenarios.for_accounts(scenarios.without_action(share_policy, action), owner)
                expected[("share", action)] = until
                make = partial(scenarios.share_world, emulated, f"share-less-{index}", owner, policy, kinds=kinds_for(action))
                futures[("share", action)] = pool.submit(world_run, make, until, until is not None)
            for index, action in enumerate(audit_actions):
                auditor = denied_auditor(index)
                policy = scenarios.for_accounts(scenarios.without_action(audit_policy, action), auditor)
                expected[("audit", action)] = "audit"
                make = partial(scenarios.audit_world, emulated, f"audit-less-{index}", auditor, policy, workdir)
                futures[("audit", action)] = pool.submit(world_run, make, "audit")
            granted.imports = [step for future in granted_imports for step in future.result()]
            granted.audit = granted_audit.result()
            for index, action in enumerate(import_actions):
                importer, until = denied_importers[index], granted.first_step("import", action)
                policy = scenarios.for_accounts(scenarios.without_action(import_policy, action), SOURCE_OWNER, importer)
                expected[("import", action)] = until
                make = partial(scenarios.import_world, emulated, f"import-less-{index}", importer, handoff, policy,
                               stale_role=until == "update", kinds=kinds_for(action))
                futures[("import", action)] = pool.submit(world_run, make, until, until is not None and not until.endswith(" again"))
            denied = Denied(expected, {key: future.result() for key, future in futures.items()})
    finally:
        emulated.control.set_iam_auth(False)
    return Runs(granted, denied)


@pytest.fixture(scope="session")
def granted(runs) -> Granted:
    return runs.granted


@pytest.fixture(scope="session")
def denied(runs) -> Denied:
    return runs.denied
