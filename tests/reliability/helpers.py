"""Shared pieces of the reliability suite: racing threads, what AWS holds, a module's validated options."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from botocore.config import Config

RELIABILITY = Path(__file__).resolve().parent
PLAYBOOKS = RELIABILITY / "playbooks"
REGION = "us-west-2"
OWNER = "111122223333"
IMPORTER = "444455556666"
IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
KMS_SID_PREFIX = "SeedComprehendImport"

# Someone else's statements, which every run must leave exactly as they are.
FOREIGN_MODEL_STATEMENT = {"Sid": "SomeoneElses", "Effect": "Allow", "Action": "comprehend:ImportModel", "Resource": "*",
                           "Principal": {"AWS": "arn:aws:iam::999988887777:root"}}
FOREIGN_KEY_STATEMENT = {"Sid": "KeyAuditors", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                         "Action": ["kms:DescribeKey", "kms:GetKeyPolicy"], "Resource": "*"}


def principal(index: int) -> str:
    """The index-th importer principal of a race: a different account each."""
    return f"arn:aws:iam::5555000000{index:02d}:root"


def model_arn(name: str, version: str = "v1", kind: str = "document-classifier") -> str:
    return f"arn:aws:comprehend:{REGION}:{OWNER}:{kind}/{name}/version/{version}"


def resource_policy(account: Any, arn: str) -> Optional[Dict[str, Any]]:
    client = account.client("comprehend")
    try:
        return json.loads(client.describe_resource_policy(ResourceArn=arn)["ResourcePolicy"])
    except client.exceptions.ResourceNotFoundException:
        return None


def key_policy(account: Any, key_arn: str) -> Dict[str, Any]:
    return json.loads(account.client("kms").get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])


def module_params(module: Any, **options: Any) -> Dict[str, Any]:
    """A module's options as its argument spec leaves them for its code: typed, the ones not given at their defaults
    (what the pure planning functions take)."""
    result = ArgumentSpecValidator(module.ARGUMENT_SPEC).validate(options)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def account_client(account: Any, service: str) -> Any:
    """A boto3 client of the account with botocore's default retry behaviour, as a module's client has."""
    import boto3  # pylint: disable=import-outside-toplevel

    return boto3.session.Session().client(
        service, region_name=account.region, endpoint_url=account.url,
        aws_access_key_id=account.credentials["AccessKeyId"],
        aws_secret_access_key=account.credentials["SecretAccessKey"],
        aws_session_token=account.credentials["SessionToken"],
        config=Config(retries={"mode": "legacy"}),
    )


@dataclass
class RunResult:
    """What one racing run did."""

    index: int
    error: Optional[BaseException] = None
    value: Any = None
    seconds: float = 0.0
    counts: Dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def race(count: int, work: Callable[[int], Any]) -> List[RunResult]:
    """Run work(0..count-1) in threads released together by a barrier; every run's result or exception."""
    barrier = threading.Barrier(count)
    results = [RunResult(index) for index in range(count)]

    def run(index: int) -> None:
        barrier.wait()
        started = time.monotonic()
        try:
            results[index].value = work(index)
        except BaseException as error:  # pylint: disable=broad-except
            results[index].error = error
        results[index].seconds = time.monotonic() - started

    threads = [threading.Thread(target=run, args=(index,), name=f"race-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class CountingClient:
    """A boto3 client that counts the calls made through it, by method name (and failed ones as NAME!)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.counts: Dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("_") or name in ("exceptions", "meta"):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] = self.counts.get(name, 0) + 1
            try:
                return method(*args, **kwargs)
            except Exception:
                self.counts[name + "!"] = self.counts.get(name + "!", 0) + 1
                raise

        return call


def short(error: BaseException, limit: int = 160) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= limit else text[:limit - 3] + "..."
