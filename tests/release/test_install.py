"""The README's install commands work as written: each test starts in a fresh temporary folder, runs the commands
the README shows (relative paths, the same words; only a placeholder path is replaced) and checks that
seed.comprehend landed in ./collections at galaxy.yml's version. Galaxy can't be reached here, so its commands are
not run; amazon.aws is put in ./collections first, as on a machine that has it already (it has no tarball here).
"""

from __future__ import annotations

import json
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
README = (REPO / "README.md").read_text(encoding="utf-8")
VERSION = str(yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["version"])
TARBALL = f"seed-comprehend-{VERSION}.tar.gz"
# Not copied into the checkout the tarball is built from (build_ignore leaves them out anyway).
NOT_A_CHECKOUT = shutil.ignore_patterns(".venv", ".cache", ".git", ".ansible", "build", "tests", "*.tar.gz",
                                        "__pycache__", ".pytest_cache", ".hypothesis")


def install_section() -> str:
    start = README.index("## Install\n")
    return README[start:README.index("\n## ", start + 1)]


def readme_command(command: str) -> str:
    """The command, after checking the README's Install section shows it on a line of its own."""
    lines = [line.split("  #", 1)[0].strip() for line in install_section().splitlines()]
    assert command in lines, f"the README's Install section no longer shows: {command}"
    return command


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "collections" / "ansible_collections" / "amazon").mkdir(parents=True)
    shutil.copytree(AMAZON_AWS, tmp_path / "collections" / "ansible_collections" / "amazon" / "aws")
    return tmp_path


def shell(command: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    # A user's shell: no ANSIBLE_* settings of the test run, and no PYTHONPATH (which holds this checkout as
    # seed.comprehend, so ansible-galaxy would find it installed already); collections_path names ./collections.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("ANSIBLE_") and name != "PYTHONPATH"}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(home / "collections"), "ANSIBLE_HOME": str(home / "ansible-home"),
                "ANSIBLE_LOCAL_TMP": str(home / "ansible-tmp"),
                "ANSIBLE_NOCOLOR": "true", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    completed = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
                               check=False, timeout=120)
    assert completed.returncode == 0, f"{command}\n{completed.stdout}\n{completed.stderr}"
    return completed


def installed_version(collections: Path) -> str:
    manifest = collections / "ansible_collections" / "seed" / "comprehend" / "MANIFEST.json"
    assert manifest.is_file(), "seed.comprehend did not install"
    return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]


def test_readme_names_the_current_tarball():
    assert f"./{TARBALL}" in install_section()


def test_requirements_example_lists_both_collections_with_versions():
    block = re.search(r"```yaml\n# requirements.yml\n(.*?)```", install_section(), re.S)
    assert block, "the Install section has no requirements.yml example"
    entries = {entry["name"]: str(entry["version"]) for entry in yaml.safe_load(block.group(1))["collections"]}
    dependency = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["dependencies"]["amazon.aws"]
    assert entries == {"seed.comprehend": VERSION, "amazon.aws": dependency}, entries
    assert readme_command("ansible-galaxy collection install -r requirements.yml -p ./collections")


def test_build_and_install_the_tarball(workdir):
    shutil.copytree(REPO, workdir / "seed.comprehend", ignore=NOT_A_CHECKOUT)
    shell(readme_command("ansible-galaxy collection build seed.comprehend --output-path ."), workdir, workdir)
    assert (workdir / TARBALL).is_file()
    shell(readme_command(f"ansible-galaxy collection install ./{TARBALL} -p ./collections"), workdir, workdir)
    assert installed_version(workdir / "collections") == VERSION


def test_install_from_git(workdir):
    """From a local clone's URL: what is committed installs, so its version is the committed galaxy.yml's."""
    command = readme_command("ansible-galaxy collection install git+file:///path/to/a/checkout -p ./collections")
    shell(command.replace("/path/to/a/checkout", str(REPO)), workdir, workdir)
    committed = subprocess.run(["git", "show", "HEAD:galaxy.yml"], cwd=REPO, capture_output=True, text=True, check=True)
    assert installed_version(workdir / "collections") == str(yaml.safe_load(committed.stdout)["version"])
    assert readme_command("ansible-galaxy collection install 'git+REPOSITORY_URL,main' -p ./collections")


def test_offline_install_from_tarballs(workdir):
    """The folder `ansible-galaxy collection download` writes (tarballs and a requirements.yml naming them),
    here holding the tarball built from this checkout."""
    tarballs = workdir / "collection-tarballs"
    tarballs.mkdir()
    shell(f"ansible-galaxy collection build {REPO} --output-path {tarballs}", workdir, workdir)
    (tarballs / "requirements.yml").write_text(f"collections:\n- name: {TARBALL}\n  version: {VERSION}\n",
                                               encoding="utf-8")
    assert f"`- name: {TARBALL}` and `version: {VERSION}`" in install_section()
    assert readme_command("cd collection-tarballs")
    shell(readme_command("ansible-galaxy collection install -r requirements.yml -p ../collections --offline"),
          tarballs, workdir)
    assert installed_version(workdir / "collections") == VERSION
