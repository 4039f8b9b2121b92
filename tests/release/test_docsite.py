"""The collection's docsite: `antsibull-docs lint-collection-docs --plugin-docs` is clean, the extra docs of
docs/docsite/ stand for every page of the Markdown user guide in docs/, and a docsite built the way
`antsibull-docs sphinx-init` sets it up has no Sphinx warning but those of being offline (intersphinx inventories
that can't be fetched, and the references to docs.ansible.com's labels they would have resolved).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AMAZON_AWS = REPO / ".cache" / "collections" / "ansible_collections" / "amazon" / "aws"
DOCSITE = REPO / "docs" / "docsite"
LABEL_PREFIX = "ansible_collections.seed.comprehend.docsite."
# Markdown pages of docs/ and the docsite page standing for each.
PAGES = {"README.md": "guide", "flow.md": "flow", "owner.md": "owner", "audit.md": "audit", "importer.md": "importer",
         "troubleshooting.md": "troubleshooting", "testing-on-aws.md": "testing-on-aws", "architecture.md": "architecture",
         "reliability.md": "reliability", "benchmarks.md": "benchmarks"}


def tool_env(collections: Path, tmp_path: Path) -> dict:
    # No colour: a CI that sets FORCE_COLOR would wrap each warning in escape codes the patterns below don't expect.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("ANSIBLE_") and name not in ("FORCE_COLOR", "PY_COLORS")}
    # Not the copy of amazon.aws that make links into the venv for galaxy-importer: it sits in this Git work tree,
    # where antsibull-docs would copy only the files Git tracks, none.
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "NO_COLOR": "1",
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                "ANSIBLE_LOCAL_TMP": str(tmp_path / "ansible-tmp"), "ANSIBLE_NOCOLOR": "true",
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    return env


def run(command: list, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=300)


@pytest.fixture(scope="module")
def amazon_aws(tmp_path_factory) -> Path:
    """A plain copy of amazon.aws outside the repository: antsibull-docs copies a dependency with `git ls-files`
    when it sits inside a Git work tree, and .cache/ is ignored there, so it would copy nothing."""
    collections = tmp_path_factory.mktemp("collections")
    shutil.copytree(AMAZON_AWS, collections / "ansible_collections" / "amazon" / "aws", symlinks=False)
    return collections


def extra_docs_refs() -> list:
    index = yaml.safe_load((DOCSITE / "extra-docs.yml").read_text(encoding="utf-8"))
    return [entry if isinstance(entry, str) else entry["ref"]
            for section in index["sections"] for entry in section["toctree"]]


def test_every_guide_page_is_in_the_docsite():
    markdown = sorted(path.name for path in (REPO / "docs").glob("*.md"))
    assert markdown == sorted(PAGES), f"docs/ pages without a docsite page (add them to PAGES and extra-docs.yml): {markdown}"
    refs = extra_docs_refs()
    assert len(refs) == len(set(refs)), refs
    assert set(PAGES.values()) | {"security"} == set(refs)
    assert sorted(path.stem for path in (DOCSITE / "rst").glob("*.rst")) == sorted(refs)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_docsite_page_points_at_its_markdown_page(page):
    rst = (DOCSITE / "rst" / f"{PAGES[page]}.rst").read_text(encoding="utf-8")
    title = next(line[2:].strip() for line in (REPO / "docs" / page).read_text(encoding="utf-8").splitlines()
                 if line.startswith("# "))
    assert f"\n{title}\n{'=' * len(title)}\n" in rst, f"{PAGES[page]}.rst: the title isn't docs/{page}'s: {title}"
    assert f".. _{LABEL_PREFIX}{PAGES[page]}:" in rst
    assert f"``docs/{page}``" in rst


def test_security_page_matches_security_md():
    security = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    rst = (DOCSITE / "rst" / "security.rst").read_text(encoding="utf-8")
    for fact in ("allow_wildcard_principal", "BypassPolicyLockoutSafetyCheck", "aws:SourceArn",
                 "kms:EncryptionContext:aws:comprehend:arn"):
        assert fact in security and fact in rst, fact


def test_links_name_no_repository_that_galaxy_yml_leaves_out():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    links = yaml.safe_load((DOCSITE / "links.yml").read_text(encoding="utf-8")) or {}
    if not galaxy.get("repository"):
        assert "edit_on_github" not in links and "issue_tracker" not in links, links


def test_lint_collection_docs(amazon_aws, tmp_path):
    completed = run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", "."], REPO,
                    tool_env(amazon_aws, tmp_path))
    assert completed.returncode == 0 and completed.stdout.strip() == "", completed.stdout + completed.stderr


# Offline: Sphinx can't fetch the intersphinx inventories (a warning and its indented lines), so references to
# labels outside this collection (docs.ansible.com's, amazon.aws's) stay undefined.
OFFLINE_WARNING = re.compile(r"WARNING: failed to reach any of the inventories|^intersphinx inventory ")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
FOREIGN_LABEL = re.compile(r"WARNING: undefined label: '(?!ansible_collections\.seed\.comprehend\.)[^']+' \[ref\.ref\]$")


def test_docsite_builds(tmp_path):
    env = tool_env(REPO / ".cache" / "collections", tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    site.chmod(0o755)  # antsibull-docs wants its folders writable by their owner only
    completed = run([BIN / "antsibull-docs", "sphinx-init", "--use-current", "--dest-dir", site, "seed.comprehend"],
                    tmp_path, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (site / "rst").mkdir(exist_ok=True)
    (site / "rst").chmod(0o755)
    completed = run([BIN / "antsibull-docs", "--config-file", "antsibull-docs.cfg", "collection", "--cleanup",
                     "everything", "--use-current", "--dest-dir", "rst", "seed.comprehend"], site, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    docsite = site / "rst" / "collections" / "seed" / "comprehend" / "docsite"
    assert sorted(path.stem for path in docsite.glob("*.rst")) == sorted(extra_docs_refs())
    # build.sh's own command without -W: the offline warnings are judged below.
    completed = run([BIN / "sphinx-build", "-M", "html", "rst", "build", "-c", ".", "-q", "-N"], site, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    output = ANSI_ESCAPE.sub("", completed.stdout + completed.stderr)
    problems = [line for line in output.splitlines()
                if line.strip() and not OFFLINE_WARNING.search(line) and not FOREIGN_LABEL.search(line)]
    assert not problems, "the docsite build warned:\n" + "\n".join(problems)
    html = site / "build" / "html" / "collections" / "seed" / "comprehend"
    for page in extra_docs_refs():
        assert (html / "docsite" / f"{page}.html").is_file(), f"{page} missing from the built docsite"
    assert "Model owner: share model versions" in (html / "index.html").read_text(encoding="utf-8")
