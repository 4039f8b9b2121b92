"""AWS goes away between a module's read and its write, then comes back.

Real ansible-playbook runs whose endpoint is an OutageProxy in front of the emulator (see outage_proxy.py for why a
proxy and not a stopped emulator: moto's state lives in memory, so a restarted emulator would be an empty AWS and
a "rerun converges" would prove nothing). The proxy goes down right after answering the module's read
(DescribeResourcePolicy, GetKeyPolicy): the module's write meets a dropped connection, then a refused one, through
botocore's own retries. The run must fail with a message that says the endpoint could not be reached, without a
traceback, and nothing may have been written. Once the proxy listens again, the same run must converge with
nothing lost: someone else's statements, the principals or grants that were there, and the new one.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from ansible_collections.seed.comprehend.plugins.module_utils._kms.key_policy import read_grants

from helpers import FOREIGN_KEY_STATEMENT, FOREIGN_MODEL_STATEMENT, IMPORTER, PLAYBOOKS, key_policy, model_arn
from helpers import principal, resource_policy
from integration.conftest import default_key_policy
from outage_proxy import OutageProxy

CLEAR_MESSAGE = re.compile(r"Could not connect to the endpoint URL|Connection was closed before we received a valid response")


@pytest.fixture
def proxy(aws):
    running = OutageProxy(aws.url).start()
    yield running
    running.stop()


def failure_message(stdout: str) -> str:
    found = re.search(r'"msg": ("(?:[^"\\]|\\.)*")', stdout)
    return json.loads(found.group(1)) if found else ""


def check_failed_run(run, proxy, aws):
    """The run failed on its write with a clear message, after reading once through the proxy, writing nothing."""
    message = failure_message(run.stdout)
    clear = run.rc != 0 and bool(CLEAR_MESSAGE.search(message)) and proxy.url in message
    no_traceback = "Traceback (most recent call last)" not in run.stdout and "MODULE FAILURE" not in run.stdout
    written = [call for call in aws.write_calls() if call["status"] < 400]
    return message, clear, no_traceback, written


def judge_outage(figures, module, down_after, run, failed_after, failure, untouched, recovery):
    """Record and assert one outage: the run failed clearly, wrote nothing, and the rerun converged."""
    message, clear, no_traceback, written = failure
    rerun, after, converged = recovery
    row = {"module": module, "down after": down_after,
           "run failed": run.rc != 0, "clear message": clear, "traceback": not no_traceback,
           "writes while down": len(written), "policy untouched": untouched,
           "seconds to fail": round(failed_after, 1), "rerun converged, nothing lost": converged}
    ok = run.rc != 0 and clear and no_traceback and not written and untouched and converged
    figures.add("outage", row, ok, [f"{module} said: {message[:220]}"])
    assert run.rc != 0 and clear and no_traceback, run.stdout[-2000:]
    assert not written and untouched
    assert converged, (rerun.stdout[-2000:], after)


def test_resource_policy_outage_between_read_and_write(aws, playbook, proxy, figures):
    arn = aws.create_model(aws.owner, name="outage", version="v1")
    owned = {"Sid": "ResourcePolicyForImportModel", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
             "Principal": {"AWS": principal(1)}}
    before = {"Version": "2012-10-17", "Statement": [FOREIGN_MODEL_STATEMENT, owned]}
    aws.owner.client("comprehend").put_resource_policy(ResourceArn=arn, ResourcePolicy=json.dumps(before))
    connection = dict(aws.owner.connection, endpoint_url=proxy.url)
    aws.reset_calls()
    proxy.down_after("DescribeResourcePolicy")
    started = time.monotonic()
    run = playbook(str(PLAYBOOKS / "add_principal.yml"), aws_connection=connection, resource_arn=arn, principals=[principal(2)])
    failed_after = time.monotonic() - started
    failure = check_failed_run(run, proxy, aws)
    untouched = resource_policy(aws.owner, arn) == before

    proxy.come_back()
    rerun = playbook(str(PLAYBOOKS / "add_principal.yml"), aws_connection=connection, resource_arn=arn, principals=[principal(2)])
    after = resource_policy(aws.owner, arn)
    statement = next(item for item in after["Statement"] if item.get("Sid") == "ResourcePolicyForImportModel")
    converged = (rerun.rc == 0 and FOREIGN_MODEL_STATEMENT in after["Statement"]
                 and set(statement["Principal"]["AWS"]) == {principal(1), principal(2)})
    judge_outage(figures, "comprehend_resource_policy", "DescribeResourcePolicy", run, failed_after,
                 failure, untouched, (rerun, after, converged))


def test_key_policy_outage_between_read_and_write(aws, playbook, proxy, figures):
    policy = default_key_policy(aws.owner.account_id)
    policy["Statement"].append(FOREIGN_KEY_STATEMENT)
    key = aws.create_key(aws.owner, policy)
    first, second = model_arn("outage", "v1"), model_arn("outage", "v2")
    assert playbook(str(PLAYBOOKS / "grant_model.yml"), key_id=key, model_arns=[first], principal=IMPORTER).rc == 0
    before = key_policy(aws.owner, key)
    connection = dict(aws.owner.connection, endpoint_url=proxy.url)
    aws.reset_calls()
    proxy.down_after("GetKeyPolicy")
    started = time.monotonic()
    run = playbook(str(PLAYBOOKS / "grant_model.yml"), aws_connection=connection, key_id=key, model_arns=[second], principal=IMPORTER)
    failed_after = time.monotonic() - started
    failure = check_failed_run(run, proxy, aws)
    untouched = key_policy(aws.owner, key) == before

    proxy.come_back()
    rerun = playbook(str(PLAYBOOKS / "grant_model.yml"), aws_connection=connection, key_id=key, model_arns=[second], principal=IMPORTER)
    after = key_policy(aws.owner, key)
    converged = (rerun.rc == 0 and after["Statement"][:2] == policy["Statement"]
                 and {model for _principal, model in read_grants(after, "aws")} == {first, second})
    judge_outage(figures, "kms_comprehend_grant", "GetKeyPolicy", run, failed_after,
                 failure, untouched, (rerun, after, converged))
