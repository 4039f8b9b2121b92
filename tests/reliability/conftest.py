"""Reliability suite: concurrency, faults, outages, bad input and policy hygiene (issue 7).

The emulator, the two accounts and the playbook runner are the integration suite's own fixtures, imported from
tests/integration/conftest.py, not copies. Every test records its figures with the ``figures`` fixture; at the end
of the session (on the xdist controller) they are gathered into one short report, printed, and written to
docs/reliability.md when the whole suite ran (see reliability_report.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

RELIABILITY = Path(__file__).resolve().parent
REPO = RELIABILITY.parents[1]
for _path in (REPO / "tests", REPO / ".cache" / "collections", RELIABILITY):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position,unused-import
from integration.conftest import aws, emulator, playbook  # noqa: E402,F401  the integration fixtures themselves

import reliability_report as report  # noqa: E402  tests/reliability/reliability_report.py

RESULTS_VARIABLE = "SEED_RELIABILITY_RESULTS"


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller made the folder and exported its path
        return
    folder = tempfile.mkdtemp(prefix="seed-reliability-")
    os.environ[RESULTS_VARIABLE] = folder
    config.stash[report.RESULTS_KEY] = Path(folder)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> report.Recorder:
    """Record this test's figures for the suite's report (``figures.add(section, ...)``)."""
    return report.Recorder(Path(os.environ[RESULTS_VARIABLE]), request.node.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:  # pylint: disable=unused-argument
    if hasattr(config, "workerinput") or report.RESULTS_KEY not in config.stash:
        return
    text, complete = report.render(config.stash[report.RESULTS_KEY])
    terminalreporter.write_sep("=", "reliability report")
    terminalreporter.write_line(text)
    target = os.environ.get("SEED_RELIABILITY_REPORT", str(REPO / "docs" / "reliability.md"))
    if complete and target not in ("", "-", "0"):
        Path(target).write_text(text, encoding="utf-8")
        terminalreporter.write_line(f"written to {target}")
    elif not complete:
        terminalreporter.write_line("(partial run: docs/reliability.md left as it was)")
