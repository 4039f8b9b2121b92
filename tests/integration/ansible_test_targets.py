"""Run the ``ansible-test integration`` targets of tests/integration/targets, on the emulator or on real AWS.

    python tests/integration/ansible_test_targets.py                  # on the emulator (make test)
    python tests/integration/ansible_test_targets.py --dry-run [--config FILE]
    python tests/integration/ansible_test_targets.py --aws [--config FILE]

A cloud config (tests/integration/cloud-config-aws.ini.template) names two accounts, a region and a trained model.
On the emulator and with ``--dry-run``, the runner starts the emulator, creates that model (its account, region,
type, name and version, under a customer managed key) and both accounts there, and runs each target against it
with the emulator's credentials: the config's credentials are never read, nothing leaves this machine. Each run
lists the AWS calls of each target, per account. ``--dry-run`` reads the user's config (by default
tests/integration/cloud-config-aws.ini, else the template) and prints that list; the emulator run (no option) runs
the template's config and fails unless the list equals the one in docs/testing-on-aws.md.

``--aws`` runs the targets with the config's own credentials, on AWS: only with a config the user wrote; without
one it says so and fails, having called nothing. Every mode fails when ansible-test skipped a target (it skips
``cloud/aws`` targets, passing, when it has no cloud config).
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

TARGETS = REPO / "tests" / "integration" / "targets"
TEMPLATE = REPO / "tests" / "integration" / "cloud-config-aws.ini.template"
USER_CONFIG = REPO / "tests" / "integration" / "cloud-config-aws.ini"
DOC = REPO / "docs" / "testing-on-aws.md"
CALLS_BEGIN, CALLS_END = "<!-- calls: begin -->", "<!-- calls: end -->"
REQUIRED = ("aws_access_key", "aws_secret_key", "aws_region", "importer_access_key", "importer_secret_key",
            "importer_account_id", "model_arn")
MODEL_ARN = re.compile(r"^arn:aws[a-z-]*:comprehend:([a-z0-9-]+):(\d{12}):(document-classifier|entity-recognizer)/([^/]+)/version/([^/]+)$")
SKIPPED = re.compile(r"Excluding tests marked .*|WARNING: All targets skipped.*")


class ConfigError(Exception):
    """A cloud config the targets can't run with."""


def targets(names: Optional[List[str]] = None) -> List[str]:
    """The test targets, or those of ``names`` (setup_* targets are roles the others depend on)."""
    return sorted(names or [path.name for path in TARGETS.iterdir() if (path / "aliases").is_file() and not path.name.startswith("setup_")])


def read_config(path: Path) -> Dict[str, str]:
    """The [default] section of a cloud config, checked; ConfigError says what is wrong."""
    if not path.is_file():
        raise ConfigError(f"no cloud config at {path}")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    if not parser.has_section("default"):
        raise ConfigError(f"{path} has no [default] section")
    config = dict(parser.items("default"))
    missing = [name for name in REQUIRED if not config.get(name)]
    if missing:
        raise ConfigError(f"{path} doesn't set {', '.join(missing)}")
    match = MODEL_ARN.match(config["model_arn"])
    if not match:
        raise ConfigError(f"{path}: model_arn {config['model_arn']!r} is not a model version ARN "
                          "(arn:aws:comprehend:REGION:ACCOUNT:document-classifier|entity-recognizer/NAME/version/VERSION)")
    if match.group(1) != config["aws_region"]:
        raise ConfigError(f"{path}: model_arn is in {match.group(1)}, aws_region says {config['aws_region']}")
    if not re.fullmatch(r"\d{12}", config["importer_account_id"]) or config["importer_account_id"] == match.group(2):
        raise ConfigError(f"{path}: importer_account_id must be 12 digits, and not the model's account {match.group(2)}")
    return config


def layout(workdir: Path, env: Dict[str, str]) -> Path:
    """This checkout laid out for ansible-test under ``workdir`` (tests/ansible_test_layout.sh); the collection's path."""
    done = subprocess.run(["bash", str(REPO / "tests" / "ansible_test_layout.sh"), str(workdir)], env=env,
                          capture_output=True, text=True, check=True)
    return Path(done.stdout.strip())


def ansible_test_env(home: Path) -> Dict[str, str]:
    """ansible-test refuses to run on the controller while ~/.aws exists (it would mix the user's own credentials
    into the tests): it runs with its own HOME, and without the caller's AWS_* variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_") and name != "PYTHONPATH"}
    env.update({"HOME": str(home), "ANSIBLE_NOCOLOR": "true", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"})
    home.mkdir(parents=True, exist_ok=True)
    return env


def ansible_test(collection: Path, env: Dict[str, str], names: List[str]) -> Tuple[int, str]:
    """Run ``ansible-test integration`` on ``names``; its exit code and output (also echoed)."""
    command = [str(Path(sys.executable).parent / "ansible-test"), "integration", "--local", "--color", "no", "-v", *names]
    done = subprocess.run(command, cwd=collection, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    print(output, flush=True)
    return done.returncode, output


def check_nothing_skipped(output: str) -> Optional[str]:
    """ansible-test passes when it skipped every target: that is a failure here."""
    found = SKIPPED.search(output)
    return f"ansible-test skipped targets: {found.group(0)}" if found else None


def run_on_aws(config_path: Path, names: List[str]) -> int:
    """The targets against real AWS, with the user's config."""
    try:
        read_config(config_path)
    except ConfigError as error:
        print(f"{error}: nothing ran, no AWS call was made. Copy {TEMPLATE.relative_to(REPO)} to "
              f"{USER_CONFIG.relative_to(REPO)} and fill it in (docs/testing-on-aws.md).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="seed-comprehend-aws-") as scratch:
        env = ansible_test_env(Path(scratch) / "home")
        collection = layout(Path(scratch), env)
        (collection / "tests" / "integration" / "cloud-config-aws.ini").write_bytes(config_path.read_bytes())
        rc, output = ansible_test(collection, env, names)
    problem = check_nothing_skipped(output)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return rc


def rehearse(config: Dict[str, str], workdir: Path, names: List[str]) -> Tuple[int, Dict[str, Dict[str, Set[str]]], List[str]]:
    """Each target on the emulator, with the accounts, region and model of ``config``.

    Returns ansible-test's worst exit code, the calls of each target per account (``owner`` or ``importer``) as
    ``service:Operation``, and the problems found (skips)."""
    # pylint: disable=import-outside-toplevel
    from emulator import client as control
    from emulator.server import Emulator
    from integration.conftest import AwsWorld, assume_account

    region, owner_id, kind, name, version = MODEL_ARN.match(config["model_arn"]).groups()
    importer_id = config["importer_account_id"]
    env = ansible_test_env(workdir / "home")
    collection = layout(workdir, env)
    worst, problems = 0, []
    calls: Dict[str, Dict[str, Set[str]]] = {}
    with Emulator() as emulator:
        owner = assume_account(emulator.url, owner_id)
        importer = assume_account(emulator.url, importer_id)
        owner.region = importer.region = region
        world = AwsWorld(url=emulator.url, owner=owner, importer=importer, region=region)
        world.create_model(owner, model_type=kind, name=name, version=version, kms_key_id=world.create_key(owner))
        ini = configparser.ConfigParser(interpolation=None)
        ini["default"] = {
            "aws_access_key": owner.credentials["AccessKeyId"], "aws_secret_key": owner.credentials["SecretAccessKey"],
            "security_token": owner.credentials["SessionToken"], "aws_region": region,
            "importer_access_key": importer.credentials["AccessKeyId"],
            "importer_secret_key": importer.credentials["SecretAccessKey"],
            "importer_security_token": importer.credentials["SessionToken"],
            "importer_account_id": importer_id, "model_arn": config["model_arn"],
            "aws_endpoint_url": emulator.url, "import_poll_delay": "1",
        }
        with open(collection / "tests" / "integration" / "cloud-config-aws.ini", "w", encoding="utf-8") as handle:
            ini.write(handle)
        accounts = {owner_id: "owner", importer_id: "importer"}
        for target in names:
            control.reset_calls(emulator.url)
            started = time.monotonic()
            rc, output = ansible_test(collection, env, [target])
            print(f"===== {target}: exit code {rc} in {time.monotonic() - started:.0f} s", flush=True)
            worst = max(worst, rc)
            problem = check_nothing_skipped(output) or (None if f"Running {target} integration test role" in output else f"{target} did not run")
            if problem:
                problems.append(problem)
            per_account: Dict[str, Set[str]] = defaultdict(set)
            for call in control.calls(emulator.url):
                per_account[accounts.get(call["account"], call["account"])].add(f"{call['service']}:{call['operation']}")
            calls[target] = dict(per_account)
    return worst, calls, problems


def render(calls: Dict[str, Dict[str, Set[str]]]) -> str:
    """The calls of each target, per account, as a Markdown table."""
    lines = ["| target | account | AWS calls |", "| --- | --- | --- |"]
    for target, per_account in sorted(calls.items()):
        for account in sorted(per_account):
            lines.append(f"| `{target}` | {account} | {', '.join(f'`{call}`' for call in sorted(per_account[account]))} |")
    return "\n".join(lines)


def documented_calls() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(CALLS_BEGIN, 1)[1].split(CALLS_END, 1)[0].strip() if CALLS_BEGIN in text else ""


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--aws", action="store_true", help="run the targets on AWS with the config's credentials")
    mode.add_argument("--dry-run", action="store_true", help="list the AWS calls each target makes, rehearsed on the emulator")
    parser.add_argument("--config", type=Path, help="the cloud config (default: tests/integration/cloud-config-aws.ini)")
    parser.add_argument("targets", nargs="*", help="run only these targets (default: all)")
    args = parser.parse_args(argv)
    if args.aws:
        return run_on_aws(args.config or USER_CONFIG, targets(args.targets))
    config_path = args.config or (USER_CONFIG if args.dry_run and USER_CONFIG.is_file() else TEMPLATE)
    try:
        config = read_config(config_path)
    except ConfigError as error:
        print(f"{error}: nothing ran.", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="seed-comprehend-targets-") as scratch:
        rc, calls, problems = rehearse(config, Path(scratch), targets(args.targets))
    table = render(calls)
    print(f"\nAWS calls of each target with {config_path} (rehearsed on the emulator, in "
          f"{time.monotonic() - started:.0f} s; no AWS call was made):\n{table}")
    if not args.dry_run and not args.targets and table != documented_calls():
        problems.append(f"the calls above differ from the table between the markers in {DOC.relative_to(REPO)}: update it")
    for problem in problems:
        print(problem, file=sys.stderr)
    return rc or (1 if problems else 0)


if __name__ == "__main__":
    sys.exit(main())
