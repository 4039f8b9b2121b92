"""Benchmark only (bench/run.py enables it): when each task started and ended, written as JSON to the file named by
SEED_BENCH_TASK_TIMES when the playbook ends. Times are time.time(), comparable with the emulator's call log."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: task_times
type: aggregate
short_description: each task's start and end times, for bench/run.py's profile
description:
  - "Writes C({playbook_started, tasks: [{name, action, started, ended}], ended}) as JSON to the file that the
    environment variable SEED_BENCH_TASK_TIMES names."
requirements:
  - enabled in callbacks_enabled
"""


class CallbackModule(CallbackBase):
    """Task start (the strategy queues it) and end (its host's final result, after all loop items)."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.playbook_started = None
        self.tasks = []

    def v2_playbook_on_start(self, playbook):
        self.playbook_started = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({"name": task.get_name(), "action": task.action, "started": time.time(), "ended": None})

    def _ended(self, result, *args, **kwargs):
        if self.tasks:
            self.tasks[-1]["ended"] = time.time()

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _ended

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("SEED_BENCH_TASK_TIMES")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump({"playbook_started": self.playbook_started, "tasks": self.tasks, "ended": time.time()}, out)
