"""Build layer of `make test`: check that galaxy.yml's version agrees with the changelog and the examples
(tests/release/release_versions.py), build the tarball, check what it ships, install it beside amazon.aws in a
temporary collections path, run a module from the installed copy against the emulator, and run
galaxy-importer, judged by its result file (its exit code is 0 even when a step failed)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "release"))

from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import playbook_env  # noqa: E402  pylint: disable=wrong-import-position
import release_versions  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
AMAZON_AWS = REPO / ".cache" / "collections" / "ansible_collections" / "amazon" / "aws"
# Test and emulator infrastructure, virtualenvs and caches must never ship.
FORBIDDEN_PREFIXES = ("tests/", ".cache/", ".venv/", ".ci/", ".git", "bench/", "Makefile", ".ansible/", "changelogs/fragments/")
IMPORTER_CONFIG = """[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_DOC = True
CHECK_CHANGELOG = True
"""


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


def check_versions() -> None:
    """A tarball is built only when galaxy.yml's version agrees with the changelog and the examples."""
    problems, pending = release_versions.check()
    assert not problems, "version disagreement:\n" + "\n".join(problems)
    for example in pending:
        print(f"note: example still naming an older version (PENDING in release_versions.py): {example}")
    print(f"version {release_versions.galaxy_version()}: galaxy.yml, the changelog and the examples agree")


def build(workdir: Path) -> Path:
    run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", workdir], cwd=REPO)
    tarball = next(workdir.glob("seed-comprehend-*.tar.gz"))
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    shipped = [name for name in names if name.startswith(FORBIDDEN_PREFIXES)]
    assert not shipped, f"the tarball ships test or build infrastructure: {shipped}"
    for expected in ("MANIFEST.json", "FILES.json", "meta/runtime.yml", "plugins/modules/comprehend_resource_policy.py"):
        assert expected in names, f"{expected} missing from the tarball"
    print(f"tarball {tarball.name}: {len(names)} entries, no test infrastructure")
    return tarball


def install(tarball: Path, workdir: Path) -> Path:
    collections = workdir / "collections"
    shutil.copytree(AMAZON_AWS, collections / "ansible_collections" / "amazon" / "aws", symlinks=True)
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball],
        env=playbook_env(workdir, collections))
    installed = collections / "ansible_collections" / "seed" / "comprehend"
    assert (installed / "MANIFEST.json").is_file(), "the collection did not install"
    return collections


def run_installed_module(collections: Path, workdir: Path) -> None:
    """Share a model with the module from the installed copy, against the emulator."""
    with Emulator() as emulator:
        sts = boto3.client("sts", region_name="us-west-2", endpoint_url=emulator.url,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        credentials = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/build-check",
                                      RoleSessionName="build")["Credentials"]
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name="us-west-2")
        comprehend = session.client("comprehend", endpoint_url=emulator.url)
        arn = comprehend.create_entity_recognizer(
            RecognizerName="buildcheck", VersionName="v1", LanguageCode="en",
            DataAccessRoleArn="arn:aws:iam::111122223333:role/comprehend-data-access",
            InputDataConfig={"EntityTypes": [{"Type": "PERSON"}], "Documents": {"S3Uri": "s3://bucket/docs"}},
        )["EntityRecognizerArn"]
        arguments = {
            "resource_arn": arn, "principals": ["444455556666"], "endpoint_url": emulator.url, "region": "us-west-2",
            "access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
            "session_token": credentials["SessionToken"],
        }
        completed = run([BIN / "ansible", "localhost", "-m", "seed.comprehend.comprehend_resource_policy",
                         "-a", json.dumps(arguments)], env=playbook_env(workdir, collections), cwd=workdir)
        assert "CHANGED" in completed.stdout, completed.stdout
        attached = json.loads(comprehend.describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
        assert "444455556666" in json.dumps(attached), attached
    print("module ran from the installed copy and attached the policy")


# galaxy.yml leaves `repository` out until the collection has a public one; Galaxy refuses such a tarball, so
# galaxy-importer checks a copy whose MANIFEST.json names this placeholder (release_versions.py refuses a release
# without a repository). MANIFEST.json is not in FILES.json, so the copy's checksums still hold.
PLACEHOLDER_REPOSITORY = "https://example.invalid/placeholder-until-a-public-repository-exists"


def with_placeholder_repository(tarball: Path, workdir: Path) -> Path:
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
        if manifest["collection_info"].get("repository"):
            return tarball
        print("note: galaxy.yml names no repository; Galaxy will refuse to import the collection until it does")
        manifest["collection_info"]["repository"] = PLACEHOLDER_REPOSITORY
        data = json.dumps(manifest, indent=1).encode("utf-8")
        copy = workdir / "importer" / tarball.name
        copy.parent.mkdir()
        with tarfile.open(copy, "w:gz") as out:
            for member in archive.getmembers():
                if member.name == "MANIFEST.json":
                    member.size = len(data)
                    out.addfile(member, io.BytesIO(data))
                else:
                    out.addfile(member, archive.extractfile(member) if member.isfile() else None)
    return copy


def galaxy_importer(tarball: Path, workdir: Path) -> None:
    tarball = with_placeholder_repository(tarball, workdir)
    config = workdir / "galaxy-importer.cfg"
    config.write_text(IMPORTER_CONFIG, encoding="utf-8")
    # galaxy-importer runs ansible-doc and ansible-lint from PATH.
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=str(config), ANSIBLE_LOCAL_TMP=str(workdir / "tmp"),
               ANSIBLE_LINT_NODEPS="1", PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    completed = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(tarball)], cwd=workdir, env=env,
                               text=True, capture_output=True, check=False)
    output = completed.stdout + completed.stderr
    result_file = workdir / "importer_result.json"
    assert result_file.is_file(), f"galaxy-importer wrote no result:\n{output}"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    problems = [line for line in output.splitlines() if line.startswith(("ERROR", "WARNING")) or "Traceback" in line]
    modules = sorted(item["name"] for item in result.get("contents", []) if item.get("content_type") == "module")
    documented = {entry["content_name"] for entry in result.get("docs_blob", {}).get("contents", [])
                  if entry.get("content_type") == "module" and entry.get("doc_strings")}
    undocumented = [name for name in modules if name not in documented]
    assert not problems, "galaxy-importer reported:\n" + "\n".join(problems)
    assert modules and not undocumented, f"galaxy-importer found no documentation for: {undocumented or 'any module'}"
    print(f"galaxy-importer: clean, modules documented: {', '.join(modules)}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="seed-comprehend-build-") as name:
        workdir = Path(name)
        try:
            check_versions()
            tarball = build(workdir)
            collections = install(tarball, workdir)
            run_installed_module(collections, workdir)
            galaxy_importer(tarball, workdir)
        except subprocess.CalledProcessError as error:
            print(f"FAILED: {' '.join(str(part) for part in error.cmd)}\n{error.stdout}\n{error.stderr}")
            return 1
        except AssertionError as error:
            print(f"FAILED: {error}")
            return 1
    print("build: 5 checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
