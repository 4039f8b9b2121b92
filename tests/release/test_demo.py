"""`make demo` as a user runs it (its command after `make setup`): it shares, shares again without a write, imports,
and ends with the audit of the owner account, which shows the shared models and no findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OWNER, IMPORTER = "111122223333", "444455556666"
MODELS = [f"arn:aws:comprehend:us-west-2:{OWNER}:document-classifier/support-tickets/version/v1",
          f"arn:aws:comprehend:us-west-2:{OWNER}:entity-recognizer/product-names/version/v3"]


def test_make_demo_ends_with_an_audit_without_findings():
    completed = subprocess.run([sys.executable, "demo/demo.py"], cwd=REPO, capture_output=True, text=True, check=False,
                               timeout=900)
    output = completed.stdout + completed.stderr
    kept = re.search(r"The handoff file and the audit are kept in (\S+)$", completed.stdout.strip())
    try:
        assert completed.returncode == 0, output[-6000:]
        assert "Traceback" not in output, output[-6000:]
        assert "rerun of the share play: 0 write calls to AWS" in completed.stdout
        assert "$ ansible-playbook seed.comprehend.audit -e @audit-vars.json" in completed.stdout
        assert kept, completed.stdout[-2000:]
        workdir = Path(kept.group(1))
        audit = json.loads((workdir / "share-audit.json").read_text(encoding="utf-8"))
        assert audit["account"] == OWNER and audit["findings"] == [] and audit["repairs"] == {"granted": [], "revoked": []}
        assert [model["arn"] for model in audit["models"]] == MODELS
        for model in audit["models"]:
            assert model["resource_policy_principals"] == [{"principal": f"arn:aws:iam::{IMPORTER}:root", "type": "account"}]
        report = (workdir / "share-audit.md").read_text(encoding="utf-8")
        assert "## Findings\n\nNone." in report and f"Account `{OWNER}`" in report
        # The summary the demo prints, and where the report is.
        assert "  0 finding(s)\n" in completed.stdout
        assert f"report for people: {workdir / 'share-audit.md'}" in completed.stdout
        for arn in MODELS:
            assert f"  {arn}\n    TRAINED, may be imported by arn:aws:iam::{IMPORTER}:root" in completed.stdout
    finally:
        if kept:
            shutil.rmtree(kept.group(1), ignore_errors=True)
