"""The authorization side of ImportModel across accounts: resource policy, data access role, KMS key and IAM policies.

Resource policy: unless the importer and the source share an account, the source model's resource policy must allow
the caller ``comprehend:ImportModel`` (see :mod:`emulator._policy` for the principal rules), else AccessDeniedException.

Data access role: a customer managed key, the source's or the importer's own (ModelKmsKeyId), needs the request's
DataAccessRoleArn, which Comprehend assumes. The role must exist in the importer's account, be visible to Comprehend
(IAM is eventually consistent: see :mod:`emulator._propagation`), and its trust policy must let the service principal
``comprehend.amazonaws.com`` call ``sts:AssumeRole`` with ``aws:SourceAccount`` = the importing account and
``aws:SourceArn`` = the ARN of the copy being created (AWS's import page, doc_source/custom-copy-importing.md, gives the
trust policy with ``aws:SourceAccount``; which ARN ``aws:SourceArn`` holds is INVENTED). Else KmsKeyValidationException.

KMS (source model under a customer managed key): Comprehend calls ``kms:Decrypt``, ``kms:GenerateDataKey`` and
``kms:CreateGrant`` on the owner's key. Whose identity it uses is the option ``import_kms_identity``:

* ``data_access_role`` (default): the data access role's session. The import page says the role "authorizes Amazon
  Comprehend to use the KMS key to decrypt the model", and its example permissions policy allows kms:Decrypt and
  kms:GenerateDataKey under ``kms:ViaService = s3.REGION.amazonaws.com``: those requests carry S3's ViaService;
  kms:CreateGrant carries ``comprehend.REGION.amazonaws.com`` (INVENTED: no document says).
* ``forward_access``: the ImportModel caller's identity through a forward access session, all three with
  ``kms:ViaService = comprehend.REGION.amazonaws.com``. The caller's IAM identity (a user, or the role behind an
  assumed-role session) must be visible too.

Every call needs BOTH the key policy to allow that identity (KMS key policies: cross-account use needs the key policy
and the other account's IAM policies, "Allowing users in other accounts to use a KMS key") and the identity's own IAM
policies (inline and attached, read from moto's IAM) to allow the action on the key ARN, conditions evaluated against
the same request context: ``kms:EncryptionContext:aws:comprehend:arn`` = the source model ARN for all three,
``aws:SourceArn`` = that ARN for Decrypt/GenerateDataKey only (the guide pairs it with those, not with CreateGrant),
``kms:CallerAccount``, ``kms:ViaService``, ``aws:PrincipalAccount``, ``aws:PrincipalArn``. An identity moto's IAM
doesn't know has no policies. A refusal is a KmsKeyValidationException naming the identity, the key, the actions and
which side refuses them (KMS itself only answers AccessDenied; the Comprehend wording is INVENTED).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from moto.iam.models import Role
from moto.kms.models import Key
from moto.utilities.utils import get_partition

from . import _iam_identities, _propagation
from ._errors import AwsJsonError
from ._kms import resolve_key
from ._options import OPTIONS
from ._policy import Principal, Request, identity_allows, is_allowed, trust_allows

IMPORT_ACTION = "comprehend:ImportModel"
COMPREHEND_SERVICE = "comprehend.amazonaws.com"
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


@dataclass(frozen=True)
class ImportRequest:
    """What an ImportModel request asks, as the encryption checks need it."""

    caller: Principal
    region: str
    source_arn: str
    source_account: str
    copy_arn: str
    source_key_ref: Optional[str]
    own_key_ref: Optional[str]
    role_arn: Optional[str]


@dataclass(frozen=True)
class KmsIdentity:
    """Who calls KMS during the import: the principal the key policy sees, the IAM entity whose policies apply."""

    principal: Principal
    iam_arn: str
    via_service: Callable[[str], str]  # KMS action -> kms:ViaService of that request


def check_import_encryption(request: ImportRequest) -> None:
    """Raise KmsKeyValidationException unless the keys of an import are usable (see this module's docstring).

    ``own_key_ref`` (the request's ModelKmsKeyId) must name a key of the caller's account; an AWS managed source key
    can't be used from another account.
    """
    caller, region = request.caller, request.region
    needs_role = False
    if request.own_key_ref:
        own_key = resolve_key(request.own_key_ref, caller.account, region)
        if own_key is None or own_key.account_id != caller.account:
            raise _kms_key_error(f"The KMS key {request.own_key_ref} can't be found in account {caller.account} and region {region}.")
        needs_role = own_key.key_manager == "CUSTOMER"

    source_key = resolve_key(request.source_key_ref, request.source_account, region) if request.source_key_ref else None
    if request.source_key_ref and source_key is None:
        raise _kms_key_error(f"The KMS key {request.source_key_ref} that encrypts the source model {request.source_arn} can't be found.")
    if source_key is not None and source_key.key_manager == "AWS":
        if source_key.account_id != caller.account:
            raise _kms_key_error(
                f"The source model {request.source_arn} is encrypted with the AWS managed key {source_key.arn}, "
                "which can't be used from another account."
            )
        source_key = None  # the account's own AWS managed key: nothing more to check
    if source_key is not None:
        needs_role = True
        if source_key.key_state != "Enabled":
            raise _kms_key_error(f"The KMS key {source_key.arn} that encrypts the source model is {source_key.key_state}.")

    if not needs_role:
        return
    role = _data_access_role(request)
    if source_key is not None:
        _check_key_use(source_key, request, _kms_identity(request, role))


def _data_access_role(request: ImportRequest) -> Role:
    """The data access role, which must exist, be visible and trust Comprehend for this import."""
    account, role_arn = request.caller.account, request.role_arn
    if not role_arn:
        raise _kms_key_error(
            "A data access role (DataAccessRoleArn) is required to import a model encrypted with a customer managed KMS key: "
            "Amazon Comprehend uses it to call AWS KMS."
        )
    role = _iam_identities.find(role_arn)
    if not isinstance(role, Role) or role.account_id != account:
        raise _kms_key_error(f"The data access role {role_arn} doesn't exist in account {account}.")
    _check_visible(role_arn, "data access role", account)
    context = {"aws:SourceAccount": account, "aws:SourceArn": request.copy_arn}
    trust = _iam_identities.trust_policy(role)
    if not trust_allows(trust, Principal.for_service(COMPREHEND_SERVICE), Request("sts:AssumeRole", context=context)):
        raise _kms_key_error(
            f"Amazon Comprehend can't assume the data access role {role_arn}: its trust policy doesn't allow the service "
            f"principal {COMPREHEND_SERVICE} to call sts:AssumeRole with aws:SourceAccount = {account} and "
            f"aws:SourceArn = {request.copy_arn}."
        )
    return role


def _check_visible(arn: str, what: str, account: str) -> None:
    if not _propagation.is_visible(account, arn):
        raise _kms_key_error(
            f"The {what} {arn} can't be used yet: it was created or its policies changed too recently for the change to "
            "reach Amazon Comprehend and AWS KMS (IAM is eventually consistent). Retry later."
        )


def _kms_identity(request: ImportRequest, role: Role) -> KmsIdentity:
    region = request.region
    comprehend = f"comprehend.{region}.amazonaws.com"
    if OPTIONS.import_kms_identity == "forward_access":
        caller = request.caller
        iam_arn = caller.role_arn or caller.arn
        _check_visible(iam_arn, "caller's IAM identity", caller.account)
        return KmsIdentity(caller, iam_arn, lambda action: comprehend)
    s3 = f"s3.{region}.amazonaws.com"
    session = f"arn:{get_partition(region)}:sts::{role.account_id}:assumed-role/{role.name}/comprehend-import"
    return KmsIdentity(
        Principal(role.account_id, session, role.arn), role.arn, lambda action: comprehend if action == "kms:CreateGrant" else s3
    )


def _kms_context(identity: KmsIdentity, action: str, source_arn: str, with_source_arn: bool) -> Dict[str, str]:
    principal = identity.principal
    context = {
        COMPREHEND_ARN_CONTEXT_KEY: source_arn,
        "kms:CallerAccount": principal.account,
        "kms:ViaService": identity.via_service(action),
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalArn": principal.role_arn or principal.arn,
    }
    if with_source_arn:
        context["aws:SourceArn"] = source_arn
    return context


def _check_key_use(key: Key, request: ImportRequest, identity: KmsIdentity) -> None:
    key_policy = _parse(key.policy)
    iam_policies = _iam_identities.identity_policies(identity.iam_arn)
    refused_by_key: List[str] = []
    refused_by_iam: List[str] = []
    for action, with_source_arn in KEY_ACTIONS:
        kms_request = Request(action, resource=key.arn, context=_kms_context(identity, action, request.source_arn, with_source_arn))
        if not is_allowed(key_policy, identity.principal, kms_request):
            refused_by_key.append(action)
        if not identity_allows(iam_policies, kms_request):
            refused_by_iam.append(action)
    reasons = []
    if refused_by_key:
        reasons.append(f"the key policy doesn't allow {', '.join(refused_by_key)}")
    if refused_by_iam:
        known = "" if _iam_identities.find(identity.iam_arn) else f" ({identity.iam_arn} doesn't exist in IAM)"
        reasons.append(f"the IAM policies of {identity.iam_arn} don't allow {', '.join(refused_by_iam)}{known}")
    if reasons:
        raise _kms_key_error(
            f"{identity.principal.arn} can't use the KMS key {key.arn}, which encrypts the source model, to import "
            f"{request.source_arn}: {'; '.join(reasons)}. Grant kms:Decrypt and kms:GenerateDataKey with the condition "
            f"aws:SourceArn, and kms:CreateGrant with the condition {COMPREHEND_ARN_CONTEXT_KEY}, matching the model ARN."
        )
