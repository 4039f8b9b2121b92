"""The authorization side of ImportModel across accounts: the source model's resource policy and its KMS key policy.

Resource policy: unless the importer and the source share an account, the source model's resource policy must allow
the caller ``comprehend:ImportModel`` (see :mod:`emulator._policy` for the principal rules), else AccessDeniedException.

KMS: when the source model's ModelKmsKeyId names a customer managed key, Comprehend uses that key on the importer's
behalf. The importer must pass a DataAccessRoleArn naming an existing role of its account, and the key policy must
allow the importer (its calling identity, or the data access role's session) each of:

* ``kms:Decrypt`` and ``kms:GenerateDataKey``, requested with ``aws:SourceArn`` = the source model ARN and
  ``kms:EncryptionContext:aws:comprehend:arn`` = the source model ARN;
* ``kms:CreateGrant``, requested with ``kms:EncryptionContext:aws:comprehend:arn`` = the source model ARN only (the
  guide pairs aws:SourceArn with Decrypt and GenerateDataKey, not with CreateGrant).

The request context also holds ``kms:CallerAccount``, ``kms:ViaService`` (comprehend.REGION.amazonaws.com),
``aws:PrincipalAccount`` and ``aws:PrincipalArn``. So the guide's first example (StringEquals aws:SourceArn for
Decrypt/GenerateDataKey, StringEquals on the encryption context for CreateGrant), its alternative 1 (StringLike) and
alternative 2 (all three actions under the encryption-context condition) pass, statements without a Condition pass,
and statements naming another model, another principal or unknown condition keys don't. Anything missing gives a
KmsKeyValidationException naming the key and the missing actions.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from moto.iam.exceptions import NotFoundException as IamNotFoundException
from moto.iam.models import iam_backends
from moto.kms.models import Key
from moto.utilities.utils import get_partition

from ._errors import AwsJsonError
from ._kms import resolve_key
from ._policy import Principal, Request, is_allowed

IMPORT_ACTION = "comprehend:ImportModel"
COMPREHEND_ARN_CONTEXT_KEY = "kms:EncryptionContext:aws:comprehend:arn"
# The KMS actions Comprehend performs with the source key, and whether their requests carry aws:SourceArn.
KEY_ACTIONS = (("kms:Decrypt", True), ("kms:GenerateDataKey", True), ("kms:CreateGrant", False))


def _kms_key_error(message: str) -> AwsJsonError:
    return AwsJsonError("KmsKeyValidationException", message)


def _parse(policy_text: Optional[str]) -> Any:
    try:
        return json.loads(policy_text) if policy_text else None
    except ValueError:
        return None


def authorize_import(policy_text: Optional[str], source_arn: str, caller: Principal) -> None:
    """Raise AccessDeniedException unless the source's resource policy lets ``caller`` import the model."""
    context = {"aws:PrincipalAccount": caller.account, "aws:PrincipalArn": caller.role_arn or caller.arn}
    if not is_allowed(_parse(policy_text), caller, Request(IMPORT_ACTION, resource=source_arn, context=context)):
        raise AwsJsonError(
            "AccessDeniedException",
            f"User: {caller.arn} is not authorized to perform: {IMPORT_ACTION} on resource: {source_arn} "
            f"because no resource-based policy allows the {IMPORT_ACTION} action",
        )


def check_import_encryption(
    caller: Principal,
    region: str,
    source_arn: str,
    source_account: str,
    source_key_ref: Optional[str],
    own_key_ref: Optional[str],
    role_arn: Optional[str],
) -> None:
    """Raise KmsKeyValidationException unless the keys of an import are usable.

    ``own_key_ref`` (the request's ModelKmsKeyId) must name a key of the caller's account. A customer managed key,
    the importer's or the source's, needs the data access role. The source's customer managed key must allow the
    importer as described in this module's docstring; an AWS managed source key can't be used from another account.
    """
    needs_role = False
    if own_key_ref:
        own_key = resolve_key(own_key_ref, caller.account, region)
        if own_key is None or own_key.account_id != caller.account:
            raise _kms_key_error(f"The KMS key {own_key_ref} can't be found in account {caller.account} and region {region}.")
        needs_role = own_key.key_manager == "CUSTOMER"

    source_key = resolve_key(source_key_ref, source_account, region) if source_key_ref else None
    if source_key_ref and source_key is None:
        raise _kms_key_error(f"The KMS key {source_key_ref} that encrypts the source model {source_arn} can't be found.")
    if source_key is not None and source_key.key_manager == "AWS":
        if source_key.account_id != caller.account:
            raise _kms_key_error(
                f"The source model {source_arn} is encrypted with the AWS managed key {source_key.arn}, "
                "which can't be used from another account."
            )
        source_key = None  # the account's own AWS managed key: nothing more to check
    if source_key is not None:
        needs_role = True
        if source_key.key_state != "Enabled":
            raise _kms_key_error(f"The KMS key {source_key.arn} that encrypts the source model is {source_key.key_state}.")

    principals = [caller]
    if needs_role:
        principals.append(_data_access_role(role_arn, caller.account, region))
    if source_key is not None:
        _check_key_policy(source_key, source_arn, principals, region)


def _data_access_role(role_arn: Optional[str], account_id: str, region: str) -> Principal:
    """The session Comprehend would open with the data access role, which must exist in the importer's account."""
    if not role_arn:
        raise _kms_key_error(
            "A data access role (DataAccessRoleArn) is required to import a model encrypted with a customer managed KMS key: "
            "Amazon Comprehend uses it to call AWS KMS."
        )
    partition = get_partition(region)
    try:
        role = iam_backends[account_id][partition].get_role_by_arn(role_arn)
    except IamNotFoundException:
        raise _kms_key_error(f"The data access role {role_arn} doesn't exist in account {account_id}.") from None
    return Principal(account_id, f"arn:{partition}:sts::{account_id}:assumed-role/{role.name}/comprehend-import", role.arn)


def _kms_context(principal: Principal, source_arn: str, region: str, with_source_arn: bool) -> Dict[str, str]:
    context = {
        COMPREHEND_ARN_CONTEXT_KEY: source_arn,
        "kms:CallerAccount": principal.account,
        "kms:ViaService": f"comprehend.{region}.amazonaws.com",
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalArn": principal.role_arn or principal.arn,
    }
    if with_source_arn:
        context["aws:SourceArn"] = source_arn
    return context


def _check_key_policy(key: Key, source_arn: str, principals: Sequence[Principal], region: str) -> None:
    document = _parse(key.policy)
    missing: List[str] = [
        action
        for action, with_source_arn in KEY_ACTIONS
        if not any(
            is_allowed(document, principal, Request(action, resource=key.arn, context=_kms_context(principal, source_arn, region, with_source_arn)))
            for principal in principals
        )
    ]
    if missing:
        raise _kms_key_error(
            f"The key policy of the KMS key {key.arn}, which encrypts the source model, doesn't allow {principals[0].arn} "
            f"to use it to import {source_arn}: {', '.join(missing)} not allowed. Grant kms:Decrypt and kms:GenerateDataKey "
            f"with the condition aws:SourceArn, and kms:CreateGrant with the condition {COMPREHEND_ARN_CONTEXT_KEY}, "
            "matching the model ARN."
        )
