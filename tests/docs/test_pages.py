"""The user guide's pages: every relative link resolves, the flow is drawn in Mermaid, the policies are linked, the audit
page links its example report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.seed.comprehend.plugins.module_utils._comprehend.share_info import FINDING_SEVERITY

REPO = Path(__file__).resolve().parents[2]
# The guide's pages (docs/reliability.md is written by the reliability suite) and the README.
GUIDE = ("README.md", "flow.md", "owner.md", "audit.md", "importer.md", "troubleshooting.md", "testing-on-aws.md")
PAGES = [REPO / "docs" / name for name in GUIDE] + [REPO / "README.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def released() -> bool:
    return bool(yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text(encoding="utf-8")).get("releases"))


def prose(text: str) -> str:
    """The text without code blocks and code spans, where brackets and parentheses are no links."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(REPO)))
def test_relative_links_resolve(page):
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if path == REPO / "CHANGELOG.md" and not released():
            continue  # written by antsibull-changelog release
        assert path.exists(), f"{page.name} links to {target}, which doesn't exist"


def test_flow_is_a_mermaid_diagram():
    text = (REPO / "docs" / "flow.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    assert blocks and blocks[0].startswith("sequenceDiagram")
    for name in ("share_model", "import_model", "handoff"):
        assert name in text


def test_guide_links_every_page_and_both_policies():
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    for name in ("flow.md", "owner.md", "audit.md", "importer.md", "troubleshooting.md", "iam/share-operator-policy.json",
                 "iam/import-operator-policy.json", "iam/audit-operator-policy.json", "execution-environment.yml"):
        assert f"]({name})" in index, name
    assert "](docs/README.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_audit_page_explains_every_finding_and_links_the_example():
    text = (REPO / "docs" / "audit.md").read_text(encoding="utf-8")
    for kind, severity in FINDING_SEVERITY.items():
        assert f"| `{kind}` | {severity} |" in text, f"docs/audit.md's findings table lacks {kind} ({severity})"
    for name in ("share-audit.md", "share-audit.json"):
        assert f"](audit-example/{name})" in text
