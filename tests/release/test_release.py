"""Release artifacts: the changelog fragments lint, the generated changelog matches galaxy.yml, and ansible-doc
renders every module, role and filter of the collection without a warning.

galaxy-importer on the built tarball is tests/build_check.py's job, not this file's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COLLECTIONS = REPO / ".cache" / "collections"
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
FQCN = f"{GALAXY['namespace']}.{GALAXY['name']}"
MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if not path.name.startswith("_"))
ROLES = sorted(path.parent.parent.name for path in (REPO / "roles").glob("*/meta/argument_specs.yml"))
FILTERS = sorted(path.stem for path in (REPO / "plugins" / "filter").glob("*.yml"))


def run(*command: object, env: dict = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], cwd=REPO, capture_output=True, text=True, check=False,
                          timeout=120, env=env)


def doc_env(tmp_path: Path) -> dict:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                "ANSIBLE_LOCAL_TMP": str(tmp_path / "ansible-tmp"), "ANSIBLE_NOCOLOR": "true",
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    return env


def test_changelog_fragments_lint():
    completed = run(BIN / "antsibull-changelog", "lint")
    assert completed.returncode == 0 and completed.stdout.strip() == "", completed.stdout + completed.stderr


def test_changelog_yaml_is_valid():
    completed = run(BIN / "antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml")
    assert completed.returncode == 0 and completed.stdout.strip() == "", completed.stdout + completed.stderr


def version_key(version: str) -> tuple:
    return tuple(int(part) for part in version.split("."))


def test_changelog_matches_the_galaxy_version():
    """Either galaxy.yml's version is released (changelog generated, no fragment left over), or it is the next
    version, newer than every release, and the changes made since wait in fragments."""
    changelog = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
    releases = changelog.get("releases") or {}
    version = str(GALAXY["version"])
    fragments = sorted(path.name for path in (REPO / "changelogs" / "fragments").glob("*.yml"))
    if version not in releases:
        assert all(version_key(version) > version_key(str(released)) for released in releases), (version, list(releases))
        assert fragments, f"galaxy.yml's version {version} is not released and no changelog fragment says what changed"
        return
    release = releases[version]
    assert release.get("changes", {}).get("release_summary"), "the release has no summary"
    assert fragments == [], f"fragments left after the release: {fragments}"
    released_modules = {module["name"] for notes in releases.values() for module in notes.get("modules", [])}
    released_roles = {role["name"] for notes in releases.values() for role in notes.get("objects", {}).get("role", [])}
    assert released_modules == set(MODULES) and released_roles == set(ROLES), (released_modules, released_roles)
    markdown = (REPO / "CHANGELOG.md").read_text(encoding="utf-8").replace("\\", "")  # antsibull escapes . _ - ...
    assert f"## v{version}" in markdown
    for name in MODULES + ROLES:
        assert f"{FQCN}.{name}" in markdown, f"CHANGELOG.md doesn't list {name}"


def test_collection_content_is_found():
    assert MODULES and len(ROLES) == 3 and FILTERS


@pytest.mark.parametrize("plugin_type,names", [("module", MODULES), ("role", ROLES), ("filter", FILTERS)])
def test_ansible_doc_renders_without_warnings(plugin_type, names, tmp_path):
    fqcns = [f"{FQCN}.{name}" for name in names]
    completed = run(BIN / "ansible-doc", "-t", plugin_type, *fqcns, env=doc_env(tmp_path))
    assert completed.returncode == 0, completed.stderr
    # ansible-core 2.21's own warning about its internal _protomatter collection (every `ansible-doc -t role`) is not ours.
    warnings = [line for line in completed.stderr.splitlines() if line.strip() and "/ansible_collections/ansible/_protomatter'" not in line]
    assert warnings == [], f"ansible-doc -t {plugin_type} warned:\n{completed.stderr}"
    for fqcn in fqcns:
        assert fqcn in completed.stdout, f"ansible-doc -t {plugin_type} rendered nothing for {fqcn}"
    if plugin_type == "role":
        for name in names:
            spec = yaml.safe_load((REPO / "roles" / name / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
            for option in spec["argument_specs"]["main"]["options"]:
                assert option in completed.stdout, f"{name}: option {option} missing from ansible-doc"
