"""The execution environment: docs/execution-environment.yml builds a context, meta/execution-environment.yml is read.

* ``ansible-builder create`` on the example writes a build context whose Containerfile installs the collections from
  the galaxy requirements, and whose requirements files name boto3/botocore, amazon.aws and seed.comprehend.
* ansible-builder's introspection, the step of the image build that gathers each installed collection's Python and
  system requirements, finds boto3 and botocore for seed.comprehend in the collection as built and installed from
  its tarball, through meta/execution-environment.yml.
No image is built: that needs a container engine and the network.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXAMPLE = REPO / "docs" / "execution-environment.yml"
META = REPO / "meta" / "execution-environment.yml"
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False, timeout=120, **kwargs)
    assert completed.returncode == 0, f"{' '.join(map(str, command))} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


def requirement_names(lines):
    return {re.split(r"[<>=!~ \[;#]", line.strip(), maxsplit=1)[0].lower() for line in lines if line.strip() and not line.startswith("#")}


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ee") / "context"
    run(BIN / "ansible-builder", "create", "-f", EXAMPLE, "-c", path, "--output-filename", "Containerfile")
    return path


def test_example_is_an_ansible_builder_v3_file():
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert example["version"] == 3
    assert example["images"]["base_image"]["name"]
    assert set(example["dependencies"]) >= {"ansible_core", "ansible_runner", "galaxy", "python", "python_interpreter"}


def test_context_has_a_containerfile_installing_the_collections(context):
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert f'ARG EE_BASE_IMAGE="{example["images"]["base_image"]["name"]}"' in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "introspect" in containerfile, "the image build gathers the collections' own requirements"
    assert re.search(r'ANSIBLE_INSTALL_REFS="ansible-core[^"]*ansible-runner"', containerfile)
    for script in ("assemble", "introspect.py", "install-from-bindep", "entrypoint"):
        assert (context / "_build" / "scripts" / script).is_file(), script


def test_context_requirements_name_boto3_botocore_and_both_collections(context):
    python = (context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert {"boto3", "botocore"} <= requirement_names(python)
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    collections = {entry["name"]: entry.get("version") for entry in galaxy["collections"]}
    assert set(collections) == {"amazon.aws", f"{GALAXY['namespace']}.{GALAXY['name']}"}
    # The example asks for an amazon.aws the collection supports.
    assert collections["amazon.aws"] == GALAXY["dependencies"]["amazon.aws"]


def test_meta_execution_environment_points_at_the_runtime_requirements():
    meta = yaml.safe_load(META.read_text(encoding="utf-8"))
    assert meta["version"] == 1
    requirements = REPO / meta["dependencies"]["python"]
    assert requirements.is_file()
    assert {"boto3", "botocore"} <= requirement_names(requirements.read_text(encoding="utf-8").splitlines())
    if "system" in meta["dependencies"]:
        assert (REPO / meta["dependencies"]["system"]).is_file()


def test_builder_introspection_finds_the_collection_requirements_in_the_installed_tarball(tmp_path):
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / "dist", REPO)
    (tarball,) = (tmp_path / "dist").glob("seed-comprehend-*.tar.gz")
    collections = tmp_path / "collections"
    run(BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "--force", "-p", collections, tarball)
    installed = collections / "ansible_collections" / "seed" / "comprehend"
    assert (installed / "meta" / "execution-environment.yml").is_file(), "the tarball must ship meta/execution-environment.yml"
    found = yaml.safe_load(run(BIN / "ansible-builder", "introspect", "--sanitize", collections).stdout)
    ours = [line for line in found["python"] if line.endswith("# from collection seed.comprehend")]
    assert {"boto3", "botocore"} <= requirement_names(ours), found
