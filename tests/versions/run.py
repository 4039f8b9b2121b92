"""Versions layer of `make test`: each supported ansible-core with the amazon.aws released beside it, through
ansible-doc for every plugin and role, the sanity tests that matter for content (import, validate-modules, yamllint,
compile) and the two-account share and import plays on the emulator; writes README.md's supported-versions table.

Each core gets a virtualenv under .cache/versions/<core>/, kept between runs and rebuilt when its versions change.
README.md's table (between the versions-table markers) must agree with the run: when it doesn't, the run rewrites
it and fails, so the table in a commit always comes from a run that passed.
Usage: python tests/versions/run.py [CORE ...]   (e.g. 2.17 2.21; default: every supported core)
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional


REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from integration.conftest import IMPORTER_ID, OWNER_ID, AwsWorld, assume_account  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import playbook_env  # noqa: E402  pylint: disable=wrong-import-position

CACHE = REPO / ".cache" / "versions"
WHEELS = REPO / ".cache" / "wheels"
README = REPO / "README.md"
START, END = "<!-- versions-table:start -->", "<!-- versions-table:end -->"
BOTO_PIN = "1.44.8"      # tests/requirements-dev.txt's
BOTO_FLOOR = "1.35.0"    # requirements.txt's floor, proven on the oldest core


@dataclass(frozen=True)
class Row:
    """One supported ansible-core: its pinned release, the Python it runs on, the `ansible` package whose amazon.aws
    it is tested with, and the boto3/botocore release."""

    core: str
    python: str
    ansible: str
    boto: str = BOTO_PIN


# amazon.aws comes from the `ansible` package of the core's generation (13.x for 2.20, 14.x for 2.21). ansible 10 and
# 11 (cores 2.17, 2.18) carry amazon.aws 8.2.1 and 9.5.2, older than the collection's dependency floor in galaxy.yml:
# those cores and 2.19 are tested with that floor, amazon.aws 10.1.2 from ansible 12.3.0 (it requires ansible-core
# 2.17 or later), which is what ansible-galaxy gives their users at the least.
ROWS = (
    Row("2.17.14", "3.11", "12.3.0", BOTO_FLOOR),
    Row("2.18.19", "3.11", "12.3.0"),
    Row("2.19.14", "3.11", "12.3.0"),
    Row("2.20.10", "3.12", "13.8.0"),
    Row("2.21.5", "3.12", "14.5.0"),
)
SANITY_TESTS = ("import", "validate-modules", "yamllint", "compile")


@dataclass
class Outcome:
    """What one row ran with and how each check went."""

    row: Row
    versions: Dict[str, str] = field(default_factory=dict)
    checks: Dict[str, str] = field(default_factory=dict)
    seconds: Dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(result == "passed" for result in self.checks.values())


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command: List[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False, **kwargs)


def find_python(version: str) -> str:
    """pythonX.Y on the PATH, else pyenv's newest X.Y."""
    candidates = [shutil.which(f"python{version}") or ""]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")), reverse=True)
    for candidate in filter(None, candidates):
        probe = run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise SystemExit(f"Python {version} not found (python{version} on the PATH or ~/.pyenv/versions/{version}.*)")


def checked(completed: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if completed.returncode != 0:
        raise RuntimeError(f"{what} failed ({completed.returncode}):\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    return completed


def wheel(ansible: str) -> Path:
    """The `ansible` wheel, downloaded once into .cache/wheels (shared with the Makefile)."""
    path = WHEELS / f"ansible-{ansible}-py3-none-any.whl"
    if not path.is_file():
        WHEELS.mkdir(parents=True, exist_ok=True)
        checked(run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                     "-d", WHEELS, f"ansible=={ansible}"]), f"pip download ansible=={ansible}")
    return path


def toolchain(row: Row) -> Path:
    """The row's virtualenv and collections under .cache/versions/<core>/, built unless the cached one matches."""
    home = CACHE / minor(row.core)
    key = {"ansible-core": row.core, "python": row.python, "ansible": row.ansible, "boto3": row.boto}
    stamp = home / "versions.json"
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == key:
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    checked(run([find_python(row.python), "-m", "venv", home / "venv"]), "venv")
    checked(run([home / "venv" / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", f"ansible-core=={row.core}",
                 f"boto3=={row.boto}", f"botocore=={row.boto}"]), f"pip install ansible-core=={row.core}")
    prefix = "ansible_collections/amazon/aws/"
    with zipfile.ZipFile(wheel(row.ansible)) as archive:
        archive.extractall(home / "collections", [name for name in archive.namelist() if name.startswith(prefix)])
    (home / "collections" / "ansible_collections" / "seed").mkdir()
    (home / "collections" / "ansible_collections" / "seed" / "comprehend").symlink_to(REPO)
    stamp.write_text(json.dumps(key), encoding="utf-8")
    return home


def installed_versions(home: Path) -> Dict[str, str]:
    python = home / "venv" / "bin" / "python"
    probe = checked(run([python, "-c", "import sys, ansible, boto3, botocore; "
                         "print(sys.version.split()[0], ansible.__version__, boto3.__version__, botocore.__version__)"]), "versions")
    python_version, core, boto3_version, botocore_version = probe.stdout.split()
    manifest = home / "collections" / "ansible_collections" / "amazon" / "aws" / "MANIFEST.json"
    amazon_aws = json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]
    return {"ansible-core": core, "python": python_version, "amazon.aws": amazon_aws, "boto3": boto3_version, "botocore": botocore_version}


def environment(home: Path, workdir: Path) -> Dict[str, str]:
    env = playbook_env(workdir, home / "collections")
    env["PATH"] = f"{home / 'venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def plugin_names() -> Dict[str, List[str]]:
    """Every documented plugin and role of the collection, by ansible-doc type."""
    return {
        "module": sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py")),
        "filter": sorted(path.stem for path in (REPO / "plugins" / "filter").glob("*.yml")),
        "role": sorted(path.parent.parent.name for path in (REPO / "roles").glob("*/meta/argument_specs.yml")),
    }


def check_docs(home: Path, workdir: Path) -> None:
    """ansible-doc --json documents every plugin and role, with a short description for each (a role: each entry point)."""
    for plugin_type, names in plugin_names().items():
        fqcns = [f"seed.comprehend.{name}" for name in names]
        completed = checked(run([home / "venv" / "bin" / "ansible-doc", "-t", plugin_type, "--json", *fqcns],
                                env=environment(home, workdir), cwd=workdir), f"ansible-doc -t {plugin_type}")
        documented = json.loads(completed.stdout)
        missing = sorted(set(fqcns) - set(documented))
        # Warnings about this collection fail the check; amazon.aws's and ansible-core's own are theirs.
        ours = [line for line in completed.stderr.splitlines() if re.search(r"seed[./]comprehend", line)]
        if missing or ours:
            raise RuntimeError(f"ansible-doc -t {plugin_type}: missing {missing}\n{completed.stderr}")
        for fqcn, entry in documented.items():
            if plugin_type == "role":
                descriptions = [point.get("short_description") for point in entry["entry_points"].values()]
            else:
                descriptions = [entry["doc"].get("short_description")]
            if not all(descriptions):
                raise RuntimeError(f"ansible-doc -t {plugin_type} {fqcn}: no short description")


def check_sanity(home: Path, row: Row) -> None:
    """tests/sanity.sh with the row's ansible-test, its Python and its amazon.aws, in a work folder of its own outside
    the checkout (ansible-test's own virtualenvs stay there between runs)."""
    checkout = hashlib.md5(str(REPO).encode("utf-8")).hexdigest()[:8]
    workdir = Path(tempfile.gettempdir()) / f"seed-comprehend-versions-{checkout}-{minor(row.core)}"
    env = dict(os.environ, PATH=f"{home / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}", SANITY_WORKDIR=str(workdir),
               AMAZON_AWS_COLLECTION=str(home / "collections" / "ansible_collections" / "amazon" / "aws"))
    env.pop("PYTHONPATH", None)
    tests = [argument for name in SANITY_TESTS for argument in ("--test", name)]
    checked(run(["bash", REPO / "tests" / "sanity.sh", *tests], env=env), "ansible-test sanity " + " ".join(SANITY_TESTS))


def check_plays(home: Path, emulator: Emulator, workdir: Path) -> None:
    """The collection's share playbook as the owner, then its import playbook as the importer, from a folder of
    their own with a relative handoff path: a classifier under a customer managed key and an entity recognizer."""
    emulator.reset()
    aws = AwsWorld(url=emulator.url, owner=assume_account(emulator.url, OWNER_ID), importer=assume_account(emulator.url, IMPORTER_ID))
    aws.set_options(iam_propagation_seconds=0.5)
    models = [aws.create_model(aws.owner, kms_key_id=aws.create_key(aws.owner)), aws.create_model(aws.owner, "entity-recognizer")]
    plays = (("share", {"share_model_arns": models, "share_model_principals": [aws.importer.account_id],
                        "share_model_aws": aws.owner.connection, "share_model_handoff_path": "handoff.json"}),
             ("import", {"import_model_aws": aws.importer.connection, "import_model_poll_delay": 1,
                         "import_model_handoff_path": "handoff.json"}))
    for playbook, variables in plays:
        (workdir / f"{playbook}-vars.json").write_text(json.dumps(variables), encoding="utf-8")
        checked(run([home / "venv" / "bin" / "ansible-playbook", f"seed.comprehend.{playbook}", "-e", f"@{playbook}-vars.json"],
                    env=environment(home, workdir), cwd=workdir, timeout=600), f"ansible-playbook seed.comprehend.{playbook}")
    comprehend = aws.importer.client("comprehend")
    sources = [props["SourceModelArn"] for props in comprehend.list_document_classifiers()["DocumentClassifierPropertiesList"]]
    sources += [props["SourceModelArn"] for props in comprehend.list_entity_recognizers()["EntityRecognizerPropertiesList"]]
    if sorted(sources) != sorted(models):
        raise RuntimeError(f"the importer holds copies of {sources}, expected {models}")


def attempt(outcome: Outcome, name: str, check, *args) -> None:
    started = time.monotonic()
    try:
        check(*args)
        outcome.checks[name] = "passed"
    except Exception as error:  # pylint: disable=broad-exception-caught  # any failure of one check is that check's result
        outcome.checks[name] = "FAILED"
        print(f"----- {outcome.row.core} {name} FAILED:\n{error}", flush=True)
    outcome.seconds[name] = round(time.monotonic() - started, 1)
    log(f"{outcome.row.core}: {name} {outcome.checks[name]} in {outcome.seconds[name]}s")


def render(outcomes: List[Outcome]) -> str:
    lines = ["| ansible-core | Python | amazon.aws | boto3 / botocore | ansible-doc, sanity, share and import plays |",
             "| --- | --- | --- | --- | --- |"]
    for outcome in outcomes:
        versions = outcome.versions
        result = "passed" if outcome.passed else "failed: " + ", ".join(name for name, result in outcome.checks.items() if result != "passed")
        lines.append(f"| {versions['ansible-core']} | {versions['python']} | {versions['amazon.aws']} | "
                     f"{versions['boto3']} / {versions['botocore']} | {result} |")
    return "\n".join(lines)


def readme_table(text: str) -> Optional[str]:
    match = re.search(re.escape(START) + r"\n(.*?)\n?" + re.escape(END), text, re.S)
    return match.group(1).strip() if match else None


def main(selected: List[str]) -> int:
    rows = [row for row in ROWS if not selected or minor(row.core) in selected]
    # The sanity layer of the same run already ran every sanity test on the default tool chain's core.
    default_core = subprocess.run([str(Path(sys.executable).parent / "ansible"), "--version"], capture_output=True, text=True,
                                  check=True).stdout.split("[core ")[1].split("]")[0]
    # tests/run-all.sh passes the sanity layer's result when that layer ran before this one.
    sanity_layer = os.environ.get("SANITY_LAYER_RESULT")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        homes = dict(zip(rows, pool.map(toolchain, rows)))
    log(f"tool chains ready in {time.monotonic() - started:.0f}s")
    outcomes = [Outcome(row, versions=installed_versions(homes[row])) for row in rows]

    def sanity_chain() -> None:
        for outcome in outcomes:
            if sanity_layer in ("passed", "FAILED") and outcome.versions["ansible-core"] == default_core:
                outcome.checks["sanity"] = sanity_layer
                log(f"{outcome.row.core}: sanity {sanity_layer} in the sanity layer (every sanity test, same core)")
                continue
            attempt(outcome, "sanity", check_sanity, homes[outcome.row], outcome.row)

    # Two processes at a time: sanity (CPU bound) beside ansible-doc and the plays.
    with ThreadPoolExecutor(max_workers=1) as pool, Emulator() as emulator, tempfile.TemporaryDirectory() as scratch:
        sanity = pool.submit(sanity_chain)
        for outcome in outcomes:
            workdir = Path(scratch) / minor(outcome.row.core)
            workdir.mkdir()
            attempt(outcome, "ansible-doc", check_docs, homes[outcome.row], workdir)
            attempt(outcome, "plays", check_plays, homes[outcome.row], emulator, workdir)
        sanity.result()
    for outcome in outcomes:
        print(f"{outcome.row.core}: {outcome.versions} {outcome.checks} {outcome.seconds}")
    log(f"versions layer done in {time.monotonic() - started:.0f}s")
    failed = [outcome.row.core for outcome in outcomes if not outcome.passed]
    if selected:
        print("a subset of the cores ran: README.md's table left as it is")
        return 1 if failed else 0
    return (1 if failed else 0) | update_readme(render(outcomes))


def update_readme(table: str) -> int:
    """0 when README.md's table already says what this run found; else rewrite it and 1."""
    text = README.read_text(encoding="utf-8")
    current = readme_table(text)
    if current is None:
        print(f"README.md has no {START} ... {END} section for the supported-versions table")
        return 1
    if current == table:
        print("README.md's supported-versions table agrees with this run")
        return 0
    block = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.S)
    README.write_text(f"{text[:block.start()]}{START}\n{table}\n{END}{text[block.end():]}", encoding="utf-8")
    print(f"README.md's supported-versions table disagreed with this run; rewritten, review and commit it:\n"
          f"--- was\n{current}\n--- now\n{table}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
