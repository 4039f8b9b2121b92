"""Run the collection's modules in-process, as Ansible would run them, against a FakeAws; and its roles' logic.

``run_module`` feeds arguments through ansible-core's own module argument loading (``patch_module_args``), calls
the module's ``main()``, and returns what it printed for Ansible: the exit_json / fail_json result. An exception
that escapes ``main()`` is what a user would see as a module traceback, so it is returned as such, not raised.
``AnsibleAWSModule.client`` is replaced by one that resolves the connection options the real way (so a missing
region fails as it would) and then hands out a FakeAws client.

The roles are simulated task by task from their tasks/main.yml (the same modules, in the same order, with the
same arguments and module_defaults, the same filters), with the role's argument spec checked first by
ArgumentSpecValidator, as ansible-core's role argument validation does.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from unittest import mock

import yaml
from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule, aws_argument_spec

from fake_aws import FakeAws

REPO = Path(__file__).resolve().parents[2]
_WORLD: List[Optional[FakeAws]] = [None]


def _fake_client(self: Any, service: str, retry_decorator: Any = None, **extra_params: Any) -> Any:  # pylint: disable=unused-argument
    region, _endpoint, _kwargs = get_aws_connection_info(self)
    if not (extra_params.get("region") or region):
        self.fail_json(msg=f"The {self._name} module requires a region and none was found in configuration, "  # pylint: disable=protected-access
                       "environment variables or module parameters")
    return _WORLD[0].client(service)


@contextlib.contextmanager
def fake_aws_modules() -> Iterator[None]:
    """Modules built in this context talk to the FakeAws given to run_module, and don't log to syslog."""
    with mock.patch.object(AnsibleAWSModule, "client", _fake_client), \
            mock.patch.object(basic.AnsibleModule, "_log_invocation", lambda self: None):
        yield


@dataclass
class ModuleRun:
    result: Optional[Dict[str, Any]]
    traceback: Optional[str] = None

    @property
    def failed(self) -> bool:
        return self.traceback is not None or bool(self.result and self.result.get("failed"))

    @property
    def message(self) -> str:
        return str((self.result or {}).get("msg", ""))


def run_module(main: Callable[[], None], args: Dict[str, Any], world: FakeAws, check_mode: bool = False,
               diff: bool = False) -> ModuleRun:
    _WORLD[0] = world
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    out = io.StringIO()
    try:
        with patch_module_args(args), contextlib.redirect_stdout(out):
            main()
    except SystemExit:
        pass
    except Exception:  # pylint: disable=broad-except
        # What escapes main() is a traceback for the user.
        return ModuleRun(None, traceback.format_exc(limit=-4))
    text = out.getvalue().strip()
    try:
        return ModuleRun(json.loads(text.splitlines()[-1] if text else "{}"))
    except ValueError:
        return ModuleRun(None, f"unparsable module output: {text[:300]}")


def module_options(module: Any) -> List[str]:
    """Every option name and alias of a module, its own and amazon.aws's common ones."""
    names = set()
    options = dict(yaml.safe_load(module.DOCUMENTATION)["options"])
    options.update(aws_argument_spec())
    for name, spec in options.items():
        names.add(name)
        names.update(spec.get("aliases") or [])
    return sorted(names)


def names_an_option(message: str, options: List[str]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(option)}(?![A-Za-z0-9_])", message) for option in options)


# ---------------------------------------------------------------------------------------------------- roles


def role_spec(role: str) -> Dict[str, Any]:
    document = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    return document["argument_specs"]["main"]["options"]


@dataclass
class RoleRun:
    """Where a simulated role run stopped: None when it went through; else the failing step and its message."""

    failed_step: Optional[str] = None
    message: str = ""
    traceback: Optional[str] = None
    writes_before_failure: int = 0
    steps: List[str] = field(default_factory=list)
    arguments: Dict[str, List[str]] = field(default_factory=dict)  # task name -> the module arguments it was given


def validate_role_arguments(role: str, arguments: Dict[str, Any]) -> Any:
    """ansible-core's role argument validation: the spec from meta/argument_specs.yml, defaults applied."""
    return ArgumentSpecValidator(role_spec(role)).validate(arguments)


class _Stop(Exception):
    pass


class _RoleRunner:
    """Runs one simulated role: modules with the role's module_defaults, stopping at the first failure."""

    def __init__(self, world: FakeAws, defaults: Dict[str, Any]) -> None:
        self.world = world
        self.defaults = defaults if isinstance(defaults, dict) else {}
        self.run = RoleRun()

    def fail(self, step: str, message: str = "", trace: Optional[str] = None) -> None:
        self.run.failed_step, self.run.message, self.run.traceback = step, message, trace
        self.run.writes_before_failure = len(self.world.writes)
        raise _Stop()

    def module(self, step: str, main: Callable[[], None], args: Dict[str, Any]) -> Dict[str, Any]:
        merged = dict(self.defaults)
        merged.update({key: value for key, value in args.items() if value is not OMIT})  # task arguments win
        self.run.steps.append(step)
        self.run.arguments[step] = sorted(args)
        result = run_module(main, merged, self.world)
        if result.traceback:
            self.fail(step, trace=result.traceback)
        if result.failed:
            self.fail(step, result.message)
        return result.result or {}

    def filter(self, step: str, function: Callable[..., Any], *args: Any) -> Any:
        from ansible.errors import AnsibleFilterError  # pylint: disable=import-outside-toplevel

        self.run.steps.append(step)
        try:
            return function(*args)
        except AnsibleFilterError as error:
            self.fail(step, str(error))
        except Exception:  # pylint: disable=broad-except
            # Ansible shows it as a templating error.
            self.fail(step, trace=traceback.format_exc(limit=-3))
        return None


OMIT = object()
TRAINED = ("TRAINED", "TRAINED_WITH_WARNING")
IAM_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")


class SimulationOutOfDate(Exception):
    """The role has a task the simulation doesn't know: mirror it in the role's step table below."""


def role_tasks(role: str) -> List[Dict[str, Any]]:
    """A role's tasks in the order they run, blocks flattened (roles/ROLE/tasks/main.yml)."""
    def walk(tasks: List[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        for task in tasks or []:
            if "block" in task:
                yield from walk(task["block"])
                yield from walk(task.get("rescue", []))
                yield from walk(task.get("always", []))
            else:
                yield task

    return list(walk(yaml.safe_load((REPO / "roles" / role / "tasks" / "main.yml").read_text(encoding="utf-8"))))


def role_task_names(role: str) -> List[str]:
    return [task["name"] for task in role_tasks(role)]


def role_module_arguments(role: str) -> Dict[str, List[str]]:
    """Task name -> the argument names it gives a seed.comprehend module, as tasks/main.yml writes them."""
    found = {}
    for task in role_tasks(role):
        for key, value in task.items():
            if key.startswith("seed.comprehend.") and isinstance(value, dict):
                found[task["name"]] = sorted(value)
    return found


def _simulate(role: str, steps: Dict[str, Optional[Callable[[], None]]], runner: "_RoleRunner") -> RoleRun:
    """Run the role's tasks in the order of its tasks/main.yml, each with its step (None: nothing AWS would see)."""
    try:
        for name in role_task_names(role):
            if name not in steps:
                raise SimulationOutOfDate(f"roles/{role}/tasks/main.yml has the task {name!r} that tests/reliability/inprocess.py "
                                          "does not simulate: add it to the role's step table")
            if steps[name] is not None:
                steps[name]()
    except _Stop:
        pass
    return runner.run


def simulate_share_model(arguments: Dict[str, Any], world: FakeAws) -> RoleRun:
    """roles/share_model/tasks/main.yml: each task's module or filter with the role's arguments, in the YAML's order."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.seed.comprehend.plugins.modules import comprehend_model_info, comprehend_resource_policy
    from ansible_collections.seed.comprehend.plugins.modules import kms_comprehend_grant

    filters = collection_filters()

    params = arguments
    runner = _RoleRunner(world, params["share_model_aws"])
    principals, purge, present = params["share_model_principals"], params["share_model_purge_principals"], params["share_model_state"] == "present"
    state: Dict[str, Any] = {"models": []}

    def keys() -> List[Any]:
        grouped: Dict[str, List[str]] = {}
        for model in state["models"]:
            if model["encryption"]["key_type"] == "customer_managed":
                grouped.setdefault(model["encryption"]["kms_key_arn"], []).append(model["arn"])
        return sorted(grouped.items())

    def check_principals() -> None:
        runner.filter("Check the principals before anything is written", filters["checked_principals"],
                      params["share_model_principals"], params["share_model_arns"])

    def describe() -> None:
        state["models"] = runner.module("Describe the models", comprehend_model_info.main,
                                        {"model_arns": params["share_model_arns"], "include_policy": False}).get("models", [])

    def refuse() -> None:
        untrained = [model["arn"] for model in state["models"] if model["status"] not in TRAINED]
        managed = [model["arn"] for model in state["models"] if model["encryption"]["key_type"] == "aws_managed"]
        unusable = [model["arn"] for model in state["models"] if model["encryption"]["key_type"] == "customer_managed"
                    and model["encryption"]["key_state"] != "Enabled"]
        if untrained or managed or unusable:
            runner.fail("Refuse models that can't be shared",
                        f"Only trained models can be shared; not trained: {', '.join(untrained)}. " if untrained else
                        f"These models are encrypted with an AWS managed key: {', '.join(managed)}." if managed else
                        f"An importer couldn't use the keys of these models: {', '.join(unusable)}.")

    def share_models() -> None:
        if present and state["models"]:
            runner.module("Allow the principals to import each model version", comprehend_resource_policy.main,
                          {"resource_arns": [model["arn"] for model in state["models"]], "principals": principals,
                           "purge_principals": purge})

    def share_keys() -> None:
        for key, arns in keys() if present and params["share_model_manage_kms"] else []:
            runner.module("Let the principals use each customer managed key for its models only", kms_comprehend_grant.main,
                          {"key_id": key, "model_arns": arns, "principals": principals, "purge_principals": purge})

    def unshare_keys() -> None:
        for key, arns in keys() if not present and params["share_model_manage_kms"] else []:
            runner.module("Remove the principals' key grants first", kms_comprehend_grant.main,
                          {"key_id": key, "model_arns": arns, "principals": principals, "state": "absent"})

    def unshare_models() -> None:
        if not present and state["models"]:
            runner.module("Remove the principals from each model's resource policy", comprehend_resource_policy.main,
                          {"resource_arns": [model["arn"] for model in state["models"]], "principals": principals,
                           "state": "absent"})

    def handoff() -> None:
        if present:
            runner.filter("Publish the handoff for the importer", filters["share_handoff"], state["models"], principals)

    return _simulate("share_model", {
        "Check the principals before anything is written": check_principals,
        "Describe the models": describe,
        "Refuse models that can't be shared": refuse,
        "Work out the keys and their models": None,
        "Allow the principals to import each model version": share_models,
        "Let the principals use each customer managed key for its models only": share_keys,
        "Remove the principals' key grants first": unshare_keys,
        "Remove the principals from each model's resource policy": unshare_models,
        "Publish the handoff for the importer": handoff,
        "Write the handoff file": None,  # a local file
        "Summarise what the importer must do": None,
    }, runner)


def collection_filters() -> Dict[str, Callable[..., Any]]:
    """The collection's filters as Ansible gets them (FilterModule().filters())."""
    from ansible_collections.seed.comprehend.plugins.filter.handoff import FilterModule  # pylint: disable=import-outside-toplevel

    return FilterModule().filters()


def _unique(values: List[Any]) -> List[Any]:
    result: List[Any] = []
    for value in values:
        if value not in result:
            result.append(value)
    return result


def simulate_import_model(arguments: Dict[str, Any], world: FakeAws) -> RoleRun:
    """roles/import_model/tasks/main.yml in the YAML's order (the handoff given inline; IAM answering as IAM would)."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.seed.comprehend.plugins.modules import comprehend_import_model, comprehend_model_info

    filters = collection_filters()

    params = arguments
    runner = _RoleRunner(world, params["import_model_aws"])
    own_key = params["import_model_kms_key_arn"]
    state: Dict[str, Any] = {"entries": [], "keys": [], "role_arn": None}

    def read_handoff() -> None:
        entries = runner.filter("Read and check the handoff, and name the copies", filters["checked_handoff"],
                                params["import_model_handoff"])
        state["entries"] = runner.filter("Read and check the handoff, and name the copies", filters["import_plan"], entries,
                                         params["import_model_names"])

    def check_own_key() -> None:
        if own_key:
            runner.filter("Check the importer's own key", filters["checked_key_arn"], own_key)

    def role_keys() -> None:
        state["keys"] = _unique([entry.get("kms_key_arn") for entry in state["entries"] if entry.get("key_type") == "customer_managed"]
                                + ([own_key] if own_key else []))

    def service_role() -> None:
        if not state["keys"]:
            return
        name = params["import_model_role_name"]
        runner.run.steps.append("Service role trusted by Comprehend")
        world.calls.append({"service": "iam", "operation": "CreateRole", "write": True})
        if not IAM_ROLE_NAME_RE.match(name):
            runner.fail("Service role trusted by Comprehend",
                        "Unable to create role: An error occurred (ValidationError) when calling the CreateRole operation: "
                        f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint")
        state["role_arn"] = f"arn:aws:iam::{world.caller_account}:role/{name}"

    def role_policy() -> None:
        if not state["keys"]:
            return
        policy = runner.filter("Permissions on the source and own keys", filters["importer_role_policy"], state["keys"])
        world.calls.append({"service": "iam", "operation": "PutRolePolicy", "write": True})
        resources = [resource for statement in policy["Statement"] for resource in statement["Resource"]]
        if not all(isinstance(resource, str) and resource.startswith("arn:") for resource in resources):
            runner.fail("Permissions on the source and own keys",
                        "Unable to put policy: An error occurred (MalformedPolicyDocument) when calling the PutRolePolicy "
                        "operation: Resource must be in ARN format")

    def imports() -> None:
        state["started"] = []
        for entry in state["entries"]:
            started = runner.module("Import each model", comprehend_import_model.main, {
                "source_model_arn": entry["model_arn"],
                "model_name": entry["copy_model_name"],
                "version_name": entry["copy_version_name"] or OMIT,
                "model_kms_key_id": own_key if own_key else OMIT,
                "data_access_role_arn": state["role_arn"] if entry["key_type"] == "customer_managed" or own_key else OMIT,
                "region": entry["region"],
                "wait": False,
            })
            state["started"].append(started.get("model_arn"))

    def wait() -> None:
        if state["entries"]:
            runner.module("Wait until every copy is trained", comprehend_model_info.main, {
                "model_arns": state["started"], "include_policy": False, "region": state["entries"][0]["region"]})

    return _simulate("import_model", {
        "Read and check the handoff, and name the copies": read_handoff,
        "Check the importer's own key": check_own_key,
        "Work out the keys the service role must be able to use": role_keys,
        "Service role trusted by Comprehend": service_role,
        "Permissions on the source and own keys": role_policy,
        "Import each model": imports,
        "Wait until every copy is trained": wait,
        "Refuse copies whose training failed": None,  # the copies of the fake are trained
        "Publish the imported models": None,
        "List the imported models": None,
    }, runner)
