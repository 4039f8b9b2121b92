"""Run the collection's modules in-process, as Ansible would run them, against the AWS emulator.

``run_module`` feeds arguments through ansible-core's own module argument loading (``patch_module_args``), calls
the module's ``main()`` and returns how it ended, with the AWS calls it made: the emulator's call log, which must be
empty when the run starts and is cleared after it. The module makes its own boto3 clients from the connection
options, as in a playbook. An exception that escapes ``main()`` is what a user would see as a module traceback, so
it is returned as such, not raised.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import sys
import time
import traceback
from typing import Any, Callable, Dict, Iterator
from unittest import mock

import botocore.loaders
import botocore.session
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from refusals import RunOutcome

REAL_SLEEP = time.sleep


@contextlib.contextmanager
def modules_in_process() -> Iterator[None]:
    """Modules run in this context don't log to syslog, and their boto3 clients share one botocore data loader:
    each client would otherwise parse botocore's endpoint and service model files again (0.5 s a client instead of
    0.1 s). The clients, their configuration and their calls are the modules' own."""
    shared_loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)
    with mock.patch.object(basic.AnsibleModule, "_log_invocation", lambda self: None), \
            mock.patch.object(botocore.session, "create_loader", shared_loader):
        yield


def no_sleep(seconds: float) -> None:  # pylint: disable=unused-argument
    """The emulator answers at once: a module's retry, settling or polling pause would only slow the cases down."""


def no_waiting(monkeypatch: Any) -> None:
    """time.sleep, and every default ``sleep=time.sleep`` argument of the collection's module_utils, made a no-op."""
    monkeypatch.setattr(time, "sleep", no_sleep)
    for name, module in list(sys.modules.items()):
        if not name.startswith("ansible_collections.seed.comprehend.plugins.module_utils."):
            continue
        for function in [value for value in vars(module).values() if inspect.isfunction(value)]:
            if function.__defaults__ and any(default is REAL_SLEEP for default in function.__defaults__):
                monkeypatch.setattr(function, "__defaults__",
                                    tuple(no_sleep if default is REAL_SLEEP else default for default in function.__defaults__))
            if function.__kwdefaults__ and any(default is REAL_SLEEP for default in function.__kwdefaults__.values()):
                monkeypatch.setattr(function, "__kwdefaults__", {key: no_sleep if default is REAL_SLEEP else default
                                                                 for key, default in function.__kwdefaults__.items()})


def run_module(main: Callable[[], None], args: Dict[str, Any], aws: Any, check_mode: bool = False,
               diff: bool = False) -> RunOutcome:
    """One run of a module's main() with ``args`` (the connection options included); ``aws`` is the emulator."""
    out = io.StringIO()
    trace = ""
    try:
        with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)), contextlib.redirect_stdout(out):
            main()
    except SystemExit:
        pass  # exit_json and fail_json end the run this way
    except Exception:  # pylint: disable=broad-except
        trace = traceback.format_exc(limit=-4)  # what escapes main() is a traceback for the user
    calls = aws.calls()
    if calls:  # most refusals make none: a request saved
        aws.reset_calls()
    if trace:
        return RunOutcome(True, "", trace, calls)
    text = out.getvalue().strip()
    try:
        result = json.loads(text.splitlines()[-1] if text else "{}")
    except ValueError:
        return RunOutcome(True, "", f"unparsable module output: {text[:300]}", calls)
    return RunOutcome(bool(result.get("failed")), str(result.get("msg", "")), "", calls)
