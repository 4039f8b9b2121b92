"""The runner of the ansible-test targets (tests/integration/ansible_test_targets.py): nothing reaches AWS without a
cloud config the user wrote, a skip is a failure, bad configs are refused, and the dry run lists the calls of the
user's own model. The targets themselves run in the `targets` layer of `make test`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from integration import ansible_test_targets as runner

SCRIPT = runner.REPO / "tests" / "integration" / "ansible_test_targets.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=600)


def write_config(path, **changes):
    """The template with some keys changed (None: removed)."""
    lines = []
    for line in runner.TEMPLATE.read_text(encoding="utf-8").splitlines():
        key = line.split(":", 1)[0]
        if key in changes:
            if changes[key] is None:
                continue
            line = f"{key}: {changes[key]}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_aws_mode_without_a_config_runs_nothing_and_says_so(tmp_path):
    done = run("--aws", "--config", str(tmp_path / "cloud-config-aws.ini"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "nothing ran, no AWS call was made" in done.stderr
    assert "cloud-config-aws.ini.template" in done.stderr
    assert "Running " not in done.stdout  # ansible-test never started


def test_ansible_test_passes_when_it_skipped_every_target_and_the_runner_fails_it(tmp_path):
    env = runner.ansible_test_env(tmp_path / "home")
    collection = runner.layout(tmp_path, env)
    assert not (collection / "tests" / "integration" / "cloud-config-aws.ini").exists()
    rc, output = runner.ansible_test(collection, env, ["comprehend_model_info"])
    assert rc == 0, output  # ansible-test's own verdict: a pass
    assert "Running comprehend_model_info" not in output
    assert runner.check_nothing_skipped(output) is not None


@pytest.mark.parametrize("changes, message", [
    ({"importer_account_id": None}, "doesn't set importer_account_id"),
    ({"model_arn": "arn:aws:comprehend:us-west-2:111122223333:document-classifier/tickets"}, "is not a model version ARN"),
    ({"aws_region": "eu-west-1"}, "model_arn is in us-west-2, aws_region says eu-west-1"),
    ({"importer_account_id": "111122223333"}, "not the model's account 111122223333"),
])
def test_bad_configs_are_refused_before_anything_runs(tmp_path, changes, message):
    config = write_config(tmp_path / "cloud-config-aws.ini", **changes)
    with pytest.raises(runner.ConfigError, match=message):
        runner.read_config(config)
    done = run("--aws", "--config", str(config))
    assert done.returncode == 2 and message in done.stderr, done.stdout + done.stderr


def test_the_dry_run_rehearses_the_users_own_model_and_lists_its_calls(tmp_path):
    recognizer = "arn:aws:comprehend:eu-west-1:210987654321:entity-recognizer/people/version/v7"
    config = write_config(tmp_path / "cloud-config-aws.ini", aws_region="eu-west-1", model_arn=recognizer,
                          importer_account_id="123456789012", aws_secret_key="not-a-real-key")
    done = run("--dry-run", "--config", str(config), "comprehend_model_info")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no AWS call was made" in done.stdout
    assert ("| `comprehend_model_info` | owner | `comprehend:DescribeEntityRecognizer`, `comprehend:DescribeResourcePolicy`, "
            "`comprehend:ListEntityRecognizers`") in done.stdout, done.stdout
    assert "| `comprehend_model_info` | importer | `iam:ListAccountAliases`, `sts:GetCallerIdentity` |" in done.stdout
    assert recognizer in done.stdout  # the targets ran on the config's model, in its account and region


def documented_policy(heading: str) -> set:
    """The actions of the IAM policy in the ```json block after ``heading`` in docs/testing-on-aws.md."""
    text = runner.DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    policy = json.loads(text.split("```json", 1)[1].split("```", 1)[0])
    actions = set()
    for statement in policy["Statement"]:
        actions.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    return actions


def test_the_documented_permissions_allow_every_documented_call():
    calls = {"owner": set(), "importer": set()}
    for row in runner.documented_calls().splitlines()[2:]:
        _target, account, listed = (cell.strip() for cell in row.strip("|").split("|"))
        calls[account].update(call.strip("` ") for call in listed.split(","))
    for account, heading in (("owner", "Owner account (`aws_access_key`)"), ("importer", "Importer account (`importer_access_key`)")):
        missing = calls[account] - documented_policy(heading) - {"sts:GetCallerIdentity"}  # needs no permission
        assert not missing, f"{account}: {sorted(missing)}"


def test_aws_mode_runs_the_targets_with_the_users_config_as_written(aws, tmp_path):
    """--aws with a config the user wrote, here one whose endpoint is the emulator: the runner lays out the
    collection, hands ansible-test that config unchanged, and the targets act as the config's accounts."""
    model = aws.create_model(aws.owner, name="tickets", version="v1", kms_key_id=aws.create_key(aws.owner))
    owner, importer = aws.owner.credentials, aws.importer.credentials
    config = write_config(tmp_path / "cloud-config-aws.ini", model_arn=model, importer_account_id=aws.importer.account_id,
                          aws_access_key=owner["AccessKeyId"], aws_secret_key=owner["SecretAccessKey"],
                          security_token=owner["SessionToken"], importer_access_key=importer["AccessKeyId"],
                          importer_secret_key=importer["SecretAccessKey"], importer_security_token=importer["SessionToken"])
    with open(config, "a", encoding="utf-8") as handle:
        handle.write(f"aws_endpoint_url: {aws.url}\n")
    done = run("--aws", "--config", str(config), "comprehend_model_info")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Running comprehend_model_info integration test role" in done.stdout
    described = {(call["account"], call["operation"]) for call in aws.calls()}
    assert {(aws.owner.account_id, "DescribeDocumentClassifier"), (aws.importer.account_id, "GetCallerIdentity")} <= described
