"""IAM enforcement: moto's auth mode, switched on through the control API, checking the resources the requests name.

Off by default, and after every ``POST /_emulator/reset``. ``POST /_emulator/iam-auth {"enabled": true}`` turns it on
(``GET /_emulator/iam-auth`` tells whether it is). While it is on:

* Every signed request must come from an IAM user's access key or an assumed-role session that moto knows, with a
  valid signature; static keys such as ``testing`` are refused. Set up state before turning it on, or as an IAM user
  whose policy allows everything.
* moto checks the identity-based policies of that user (inline and attached, and its groups') or role: an explicit
  Deny wins, else some Allow must match the action and the resource (``*`` and ``?`` wildcards). Conditions: moto
  only evaluates StringEquals on keys it has a value for, and takes every other condition as met.
* moto itself checks every request against the resource ``*`` except IAM calls on existing roles and
  ``sts:AssumeRole``. Here Comprehend calls are checked against the model ARN they name (``DocumentClassifierArn``,
  ``EntityRecognizerArn``, ``ResourceArn``; ``SourceModelArn`` for ImportModel), KMS calls against the ARN of the key
  their ``KeyId`` names (aliases resolved), and IAM calls naming a role that doesn't exist yet (CreateRole) against
  the ARN the role will have. Calls naming no resource (List*, Create* of models and keys) are checked against ``*``.
* ImportModel with a ``DataAccessRoleArn`` also needs ``iam:PassRole`` on that role, with
  ``iam:PassedToService`` = ``comprehend.amazonaws.com`` in the request context, as in AWS.
* Comprehend and KMS refusals are JSON-protocol ``AccessDeniedException`` errors worded like AWS's:
  ``User: ARN is not authorized to perform: ACTION on resource: ARN because no identity-based policy allows the
  ACTION action``. IAM and STS keep moto's XML ``AccessDenied`` error.

Not modelled: resource-based policies granting access within an account (a KMS key policy that doesn't delegate to
IAM), permission boundaries, session policies, service control policies.

moto's switch is process-wide (``moto.settings.INITIAL_NO_AUTH_ACTION_COUNT``): so is this one.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError, InvalidClientTokenIdError, SignatureDoesNotMatchError
from moto.iam.access_control import IAMPolicy, PermissionResult, create_access_key
from moto.iam.exceptions import NotFoundException as IamNotFoundException
from moto.iam.responses import IamResponse
from moto.utilities.utils import get_partition

from ._errors import AwsJsonError

PASS_ROLE = "iam:PassRole"


def enabled() -> bool:
    """Whether moto checks IAM permissions on the next request (moto's own test, in moto's own terms)."""
    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def set_enabled(value: bool) -> None:
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if value else float("inf")
    ActionAuthenticatorMixin.request_count = 0


def describe(body: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    return {"enabled": enabled()}


def configure(body: Mapping[str, Any]) -> Dict[str, Any]:
    """The control API's ``POST iam-auth``: ``{"enabled": true|false}``."""
    value = body.get("enabled")
    if set(body) != {"enabled"} or not isinstance(value, bool):
        raise ValueError('the body must be {"enabled": true} or {"enabled": false}')
    set_enabled(value)
    return describe()


def _denied(action: str, resource: str, caller: str) -> AwsJsonError:
    return AwsJsonError(
        "AccessDeniedException",
        f"User: {caller} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action",
    )


class JsonAuthorization:
    """Mixin for the emulator's JSON-protocol response classes: the resource a request names, AWS-like refusals.

    Subclasses define ``_resource_arn()``; it is only called while IAM enforcement is on.
    """

    def _resource_arn(self) -> Optional[str]:
        raise NotImplementedError

    def _determine_resource(self) -> str:
        if not enabled():
            return "*"
        return self._resource_arn() or "*"

    def _authenticate_and_authorize_normal_action(self, resource: str = "*") -> None:
        try:
            super()._authenticate_and_authorize_normal_action(resource)  # type: ignore[misc]
        except AccessDeniedError as error:
            caller = error.message.split("User: ", 1)[-1].split(" is not authorized", 1)[0]
            raise _denied(f"{self.service_name}:{self._get_action()}", resource, caller) from None  # type: ignore[attr-defined]
        except InvalidClientTokenIdError:
            raise AwsJsonError("UnrecognizedClientException", "The security token included in the request is invalid.") from None
        except SignatureDoesNotMatchError:
            raise AwsJsonError(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            ) from None


def check_pass_role(response: Any, role_arn: Optional[str], service: str = "comprehend.amazonaws.com") -> None:
    """Refuse, while IAM enforcement is on, a request passing ``role_arn`` to ``service`` without iam:PassRole."""
    if not enabled() or not role_arn:
        return
    identity = create_access_key(
        account_id=response.current_account,
        partition=get_partition(response.region),
        access_key_id=response.get_access_key(),
        headers=response.headers,
    )
    context = {"iam:PassedToService": service}
    permitted = False
    for policy in identity.collect_policies():
        result = IAMPolicy(policy).is_action_permitted(PASS_ROLE, role_arn, incoming_condition_values=context)
        if result == PermissionResult.DENIED:
            permitted = False
            break
        if result == PermissionResult.PERMITTED:
            permitted = True
    if not permitted:
        raise _denied(PASS_ROLE, role_arn, identity.arn)


_MOTO_IAM_RESOURCE = IamResponse._determine_resource


def _iam_resource(self: IamResponse) -> str:
    """moto's answer (the ARN of an existing role named by RoleName, else ``*``), plus the ARN a new role will have."""
    resource = _MOTO_IAM_RESOURCE(self)
    if resource != "*" or not enabled() or "RoleName" not in self.data:
        return resource
    name = self.data["RoleName"][0]
    try:
        return self.backend.get_role(name).arn
    except IamNotFoundException:
        path = (self.data.get("Path") or ["/"])[0]
        return f"arn:{self.partition}:iam::{self.current_account}:role{path}{name}"


def install() -> None:
    """Make moto's IAM handler name the role a CreateRole request creates (idempotent; effective only while on)."""
    IamResponse._determine_resource = _iam_resource  # type: ignore[method-assign]
