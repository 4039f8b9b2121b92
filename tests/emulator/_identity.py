"""Who is calling: the signed scope of a request and the identity behind its credentials, resolved the way moto does."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional

from moto.core.responses import BaseResponse
from moto.iam.models import get_account_id_from
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from ._policy import Principal

# "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/comprehend/aws4_request, SignedHeaders=..., Signature=..."
_CREDENTIAL = re.compile(r"Credential=(?P<access_key>[^/,\s]+)/\d{8}/(?P<region>[^/,\s]+)/(?P<service>[^/,\s]+)/aws4_request")


@dataclass(frozen=True)
class SignedScope:
    """The SigV4 credential scope of a request."""

    access_key: str
    region: str
    service: str


def signed_scope(authorization: str) -> Optional[SignedScope]:
    """The credential scope of a SigV4 ``Authorization`` header, or None for anything else."""
    match = _CREDENTIAL.search(authorization or "")
    if match is None:
        return None
    return SignedScope(match.group("access_key"), match.group("region"), match.group("service"))


def account_for(access_key: str, account_header: Optional[str] = None) -> str:
    """The account moto serves a request in: like ``BaseResponse.get_current_account``.

    MOTO_ACCOUNT_ID wins, then the ``x-moto-account-id`` header, then the account that owns the access key
    (STS-assumed credentials belong to the assumed role's account), else moto's default account.
    """
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if account_header:
        return account_header
    return get_account_id_from(access_key)


def caller_of(response: BaseResponse) -> Principal:
    """The principal behind the request ``response`` is handling, as ``sts:GetCallerIdentity`` would report it.

    An assumed-role session also carries its role's ARN; credentials moto doesn't know act as moto's stand-in user.
    """
    account = response.current_account
    access_key = response.get_access_key()
    sts = sts_backends[account][get_partition(response.region)]
    session = sts.get_assumed_role_from_access_key(access_key)
    if session is not None:
        return Principal(account, session.arn, session.role_arn)
    arn = sts.get_caller_identity(access_key, response.region)[1]
    return Principal(account, arn)
