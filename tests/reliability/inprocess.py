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

    def module(self, step: str, main: Callable[[], None], args: Dict[str, Any], check_mode: bool = False) -> Dict[str, Any]:
        merged = dict(self.defaults)
        merged.update({key: value for key, value in args.items() if value is not OMIT})  # task arguments win
        self.run.steps.append(step)
        self.run.arguments[step] = sorted(args)
        result = run_module(main, merged, self.world, check_mode=check_mode)
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


# The modules the simulations run for real (the IAM writes of import_model are simulated, see simulate_import_model).
IN_PROCESS_MODULES = ("seed.comprehend.", "amazon.aws.aws_caller_info")


def role_module_arguments(role: str) -> Dict[str, List[str]]:
    """Task name -> the argument names it gives a module the simulation runs, as tasks/main.yml writes them."""
    found = {}
    for task in role_tasks(role):
        for key, value in task.items():
            if key.startswith(IN_PROCESS_MODULES) and isinstance(value, dict):
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
    arns, principals = params["share_model_arns"], params["share_model_principals"]
    purge, present, manage_kms = params["share_model_purge_principals"], params["share_model_state"] == "present", params["share_model_manage_kms"]
    state: Dict[str, Any] = {"regions": [], "key_principals": [], "described": [], "models": [], "policies": {}}

    def keys() -> List[Any]:
        grouped: Dict[str, List[str]] = {}
        for model in state["models"] if manage_kms else []:
            if model["encryption"]["key_type"] == "customer_managed":
                grouped.setdefault(model["encryption"]["kms_key_arn"], []).append(model["arn"])
        return sorted(grouped.items())

    def grant(key: str, model_arns: List[str]) -> Dict[str, Any]:
        """The &share_model_grant arguments: the key principals, in the key's region (the fourth field of its ARN)."""
        return {"region": key.split(":")[3], "key_id": key, "model_arns": model_arns, "principals": state["key_principals"],
                "purge_principals": purge, "policy_size_limit": params["share_model_key_policy_size_limit"],
                "state": params["share_model_state"]}

    def check_inputs() -> None:
        step = "Check the models' ARNs, the principals and the handoff path before anything is written"
        if present:
            runner.filter(step, filters["share_handoff_path"], params["share_model_handoff_path"])
        runner.filter(step, filters["checked_principals"], principals, arns)
        state["regions"] = runner.filter(step, filters["share_regions"], arns)
        state["key_principals"] = runner.filter(step, filters["share_key_principals"], principals,
                                                params["share_model_key_principals"], arns)

    def describe() -> None:
        state["described"] = [runner.module("Describe the models of each region there", comprehend_model_info.main,
                                            {"region": item["region"], "model_arns": item["model_arns"], "include_policy": False})
                              for item in state["regions"]]

    def gather() -> None:
        state["models"] = [model for result in state["described"] for model in result.get("models", [])]

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

    def key_grants(step: str, check_mode: bool) -> Callable[[], None]:
        """One kms_comprehend_grant task: a run per key, with the &share_model_grant arguments."""
        def run() -> None:
            state["key_grants"] = [grant_item for key, model_arns in keys()
                                   for grant_item in runner.module(step, kms_comprehend_grant.main, grant(key, model_arns),
                                                                   check_mode=check_mode).get("grants", [])]
        return run

    def resource_policies(step: str, check_mode: bool) -> Callable[[], None]:
        """One comprehend_resource_policy task with the &share_model_resource_policy arguments; the handoff reads the
        result of the last, the write the role registers."""
        def run() -> None:
            state["policies"] = runner.module(step, comprehend_resource_policy.main, {
                "resource_arns": [model["arn"] for model in state["models"]], "principals": principals,
                "purge_principals": purge, "state": params["share_model_state"]}, check_mode=check_mode)
        return run

    def handoff() -> None:
        if present:
            runner.filter("Publish the handoff for the importer", filters["share_handoff"], state["models"],
                          state["policies"].get("resources", []),
                          state["key_grants"] if manage_kms else None)

    return _simulate("share_model", {
        "Check the models' ARNs, the principals and the handoff path before anything is written": check_inputs,
        "Describe the models of each region there": describe,
        "Gather the models of every region": gather,
        "Refuse models that can't be shared": refuse,
        "Work out the keys and their models": None,
        # The plans' loop and when skip them in check mode: the simulation never runs in check mode.
        "Plan the resource policies before anything is written": resource_policies(
            "Plan the resource policies before anything is written", check_mode=True),
        "Plan the key principals' grants before anything is written": key_grants(
            "Plan the key principals' grants before anything is written", check_mode=True),
        "Grant or remove the key principals' use of each customer managed key for its models only": key_grants(
            "Grant or remove the key principals' use of each customer managed key for its models only", check_mode=False),
        "Allow or disallow the principals to import each model version": resource_policies(
            "Allow or disallow the principals to import each model version", check_mode=False),
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
    from ansible_collections.amazon.aws.plugins.modules import aws_caller_info
    from ansible_collections.seed.comprehend.plugins.modules import comprehend_import_model, comprehend_model_info

    filters = collection_filters()

    params = arguments
    runner = _RoleRunner(world, params["import_model_aws"])
    own_key = params["import_model_kms_key_arn"]
    state: Dict[str, Any] = {"entries": [], "own_key": None, "keys": [], "account": None, "role_arn": None,
                             "role_changed": False, "key_policies": [], "waited": []}
    role_step = "Service role trusted by Comprehend, for this account only"
    read_policies_step = "Read the service role's inline policies"
    plan_policies_step = "Work out the service role's key policies, one per key"
    policy_step = "Permissions on each source and own key, one inline policy per key"

    def read_handoff() -> None:
        entries = runner.filter("Read and check the handoff, and name the copies", filters["checked_handoff"],
                                params["import_model_handoff"], "import_model_handoff")
        state["entries"] = runner.filter("Read and check the handoff, and name the copies", filters["import_plan"], entries,
                                         params["import_model_names"])

    def check_timing() -> None:
        timing = [params[name] for name in ("import_model_wait_timeout", "import_model_poll_delay",
                                            "import_model_kms_validation_retry_timeout")]
        if timing[0] < 0 or timing[1] < 1 or timing[2] < 0:
            runner.fail("Check the timing variables before anything is written",
                        "import_model_wait_timeout and import_model_kms_validation_retry_timeout must be at least 0 "
                        f"seconds and import_model_poll_delay at least 1, got {timing[0]}, {timing[2]} and {timing[1]}")

    def check_own_key() -> None:
        state["own_key"] = runner.filter("Check the importer's own key, which must be of the models' region",
                                         filters["checked_own_key"], own_key, state["entries"])

    def role_keys() -> None:
        state["keys"] = _unique([entry.get("kms_key_arn") for entry in state["entries"] if entry.get("key_type") == "customer_managed"]
                                + ([own_key] if own_key else []))

    def caller() -> None:
        if not state["keys"]:
            return
        step = "Learn this account's ID, for the trust policy's aws:SourceAccount condition"
        region = runner.defaults["region"] if "region" in runner.defaults else state["keys"][0].split(":")[3]
        state["account"] = runner.module(step, aws_caller_info.main, {"region": region})["account"]

    def service_role() -> None:
        # The fake holds no IAM: the role is created (so changed), named as IAM would check the name.
        if not state["keys"]:
            return
        name = params["import_model_role_name"]
        runner.run.steps.append(role_step)
        world.calls.append({"service": "iam", "operation": "CreateRole", "write": True})
        if not IAM_ROLE_NAME_RE.match(name):
            runner.fail(role_step, "Unable to create role: An error occurred (ValidationError) when calling the CreateRole "
                                   f"operation: 1 validation error detected: Value '{name}' at 'roleName' failed to satisfy constraint")
        state["role_arn"], state["role_changed"] = f"arn:aws:iam::{state['account']}:role/{name}", True

    def read_role_policies() -> None:
        # The fake holds no IAM: the role has no inline policies yet, as before its first import.
        if state["keys"]:
            world.calls.append({"service": "iam", "operation": "ListRolePolicies", "write": False})

    def plan_role_policies() -> None:
        if state["keys"]:
            state["key_policies"] = runner.filter(plan_policies_step, filters["role_key_policies"], state["keys"], [],
                                                  params["import_model_purge_role_keys"], params["import_model_role_name"])

    def role_policies() -> None:
        for policy in state["key_policies"]:
            operation = "PutRolePolicy" if policy["state"] == "present" else "DeleteRolePolicy"
            world.calls.append({"service": "iam", "operation": operation, "write": True})
            resources = [resource for statement in policy.get("policy_document", {}).get("Statement", []) for resource in statement["Resource"]]
            if not all(isinstance(resource, str) and resource.startswith("arn:") for resource in resources):
                runner.fail(policy_step, "Unable to put policy: An error occurred (MalformedPolicyDocument) when calling the "
                                         "PutRolePolicy operation: Resource must be in ARN format")

    def import_arguments(entry: Dict[str, Any]) -> Dict[str, Any]:
        """The &import_model_import arguments, shared by the start and the wait task."""
        return {
            "source_model_arn": entry["model_arn"],
            "source_kms_key_arn": entry.get("kms_key_arn", OMIT),
            "model_name": entry["copy_model_name"],
            "version_name": entry["copy_version_name"] or OMIT,
            "model_kms_key_id": own_key if own_key else OMIT,
            "data_access_role_arn": state["role_arn"] if entry["key_type"] == "customer_managed" or own_key else OMIT,
            "kms_validation_retry_timeout": params["import_model_kms_validation_retry_timeout"] if state["role_changed"] else 0,
            "region": entry["region"],
        }

    def start() -> None:
        for entry in state["entries"]:
            runner.module("Start each import in its model's region", comprehend_import_model.main,
                          dict(import_arguments(entry), wait=False))

    def wait() -> None:
        state["waited"] = [runner.module("Wait until each copy is trained, in its region", comprehend_import_model.main,
                                         dict(import_arguments(entry), wait=True, wait_timeout=params["import_model_wait_timeout"],
                                              poll_delay=params["import_model_poll_delay"]))
                           for entry in state["entries"]]

    def describe_copies() -> None:
        # Jinja's groupby('region'): the regions sorted.
        for region in sorted({entry["region"] for entry in state["entries"]}):
            sources = [entry["model_arn"] for entry in state["entries"] if entry["region"] == region]
            runner.module("Describe the copies, region by region", comprehend_model_info.main, {
                "model_arns": [result["model_arn"] for result in state["waited"]
                               if result.get("source_model_arn") in sources and result.get("model_arn")],
                "include_policy": False, "region": region})

    return _simulate("import_model", {
        "Read and check the handoff, and name the copies": read_handoff,
        "Check the timing variables before anything is written": check_timing,
        "Check the importer's own key, which must be of the models' region": check_own_key,
        "Work out the keys the service role must be able to use": role_keys,
        "Learn this account's ID, for the trust policy's aws:SourceAccount condition": caller,
        read_policies_step: read_role_policies,
        plan_policies_step: plan_role_policies,
        role_step: service_role,
        policy_step: role_policies,
        "Start each import in its model's region": start,
        "Wait until each copy is trained, in its region": wait,
        "Describe the copies, region by region": describe_copies,
        "Publish the imported models": None,
        "List the imported models": None,
    }, runner)
