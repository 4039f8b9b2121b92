"""The reliability suite's report: tests record rows of figures, the controller renders them as Markdown.

Each ``Recorder.add`` call writes one JSON file into the session's results folder (shared by the xdist workers),
so the figures survive whatever worker ran the test. ``render`` gathers them, section by section, in a fixed order.
"""

from __future__ import annotations

import datetime
import json
import platform
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

RESULTS_KEY = pytest.StashKey[Path]()

# section key -> (title, what the section proves); the report is complete when every section has rows.
SECTIONS: Dict[str, Tuple[str, str]] = {
    "concurrency": (
        "Concurrency (in-process: the modules' own converge functions in 8 threads, real boto3 clients, emulator)",
        "8 runs at once on one model's resource policy (each adds its own principal, purge off) and on one KMS key "
        "(each grants its own model). A lost update is a run that reported success whose change is missing at the "
        "end; a failed run is one that gave up with an error. Both must be 0, and all 8 changes present in every "
        "trial.",
    ),
    "concurrency-playbooks": (
        "Concurrency end to end (8 ansible-playbook processes at once, one trial per module)",
        "The same with real module runs: 8 processes, each running the module 3 times for its own principals or models. "
        "A process that fails counts as failed; the changes of the processes that succeeded must all be there. The "
        "call log tells how much the runs overlapped (stale-revision refusals, key policy writes beyond one per run).",
    ),
    "faults": (
        "Faults (throttling and internal errors injected into 30% of all AWS calls)",
        "One run of each play under faults: it must succeed and leave AWS exactly as without faults.",
    ),
    "outage": (
        "Outage between a module's read and its write",
        "The endpoint stops answering right after the module's read: the run must fail with a clear message and "
        "write nothing; a rerun once the endpoint is back must converge with nothing lost.",
    ),
    "bad-input": (
        "Bad input (modules: hypothesis, in-process; roles: chosen cases, ansible-playbook; both against the emulator)",
        "Every module's main() with generated arguments, making its own boto3 clients, against the AWS emulator; every "
        "role run by ansible-playbook with chosen mistakes (principals, model ARNs, tampered handoffs, role options). "
        "No traceback, no write call that reached AWS before a refusal (the emulator's call log), every refusal names "
        "the option or handoff field. AWS state failures (a model this account can't see or can't share) are counted "
        "apart; AWS must not have served a write before one.",
    ),
    "policy-hygiene": (
        "Policy hygiene (parliament, an IAM policy linter from PyPI)",
        "Every kind of policy the collection generates, linted with parliament's community auditors on. Error level "
        "means severity MEDIUM or higher; waived findings are listed with the reason.",
    ),
}
# Sections whose integer columns get a total row.
TOTALLED = ("bad-input", "policy-hygiene")


class Recorder:
    """Records rows of figures for one test."""

    def __init__(self, folder: Path, test: str) -> None:
        self.folder = folder
        self.test = test

    def add(self, section: str, row: Dict[str, Any], ok: bool, notes: Optional[List[str]] = None) -> None:
        if section not in SECTIONS:
            raise ValueError(f"unknown report section {section!r}")
        entry = {"section": section, "test": self.test, "seq": time.monotonic_ns(), "row": row, "ok": bool(ok), "notes": notes or []}
        (self.folder / f"{uuid.uuid4().hex}.json").write_text(json.dumps(entry), encoding="utf-8")


def _load(folder: Path) -> List[Dict[str, Any]]:
    entries = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]
    return sorted(entries, key=lambda entry: (entry["test"], entry["seq"]))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(rows: List[Dict[str, Any]], totals: bool) -> List[str]:
    columns: List[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(column, "")) for column in columns) + " |")
    if totals and len(rows) > 1:
        total = []
        for index, column in enumerate(columns):
            values = [row.get(column) for row in rows]
            if index == 0:
                total.append("**total**")
            elif all(isinstance(value, int) and not isinstance(value, bool) for value in values):
                total.append(f"**{sum(values)}**")
            else:
                total.append("")
        lines.append("| " + " | ".join(total) + " |")
    return lines


def _versions() -> str:
    versions = [f"Python {platform.python_version()}"]
    for name in ("ansible-core", "boto3", "moto", "hypothesis", "parliament"):
        try:
            from importlib.metadata import version  # pylint: disable=import-outside-toplevel

            versions.append(f"{name} {version(name)}")
        except Exception:  # pylint: disable=broad-except
            continue
    return ", ".join(versions)


def render(folder: Path) -> Tuple[str, bool]:
    """The report as Markdown, and whether every section has figures (a full run of the suite)."""
    entries = _load(folder)
    lines = [
        "# Reliability report",
        "",
        "Written by the reliability suite (`python -m pytest tests/reliability -n 2`, part of `make test`) at the end "
        "of its last full run; the figures are measured, not asserted targets.",
        "",
        f"Run: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} on "
        f"{platform.machine()} with {_versions()}.",
        "",
    ]
    complete = True
    summary = []
    body: List[str] = []
    for section, (title, purpose) in SECTIONS.items():
        found = [entry for entry in entries if entry["section"] == section]
        if not found:
            complete = False
            summary.append(f"- {title.split(' (', maxsplit=1)[0]}: not run")
            continue
        status = "PASS" if all(entry["ok"] for entry in found) else "FAIL"
        summary.append(f"- {title.split(' (', maxsplit=1)[0]}: **{status}**")
        body += [f"## {title}: {status}", "", purpose, ""]
        body += _table([entry["row"] for entry in found], section in TOTALLED)
        notes = [note for entry in found for note in entry["notes"]]
        if notes:
            body.append("")
            body += [f"- {note}" for note in dict.fromkeys(notes)]
        body.append("")
    lines += ["## Summary", ""] + summary + [""] + body
    return "\n".join(lines).rstrip() + "\n", complete
