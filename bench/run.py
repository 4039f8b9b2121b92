"""`make bench`: sharing N model versions with the AWS CLI (the guide's steps), with the floor (a minimal boto3 script)
and with the share_model role; auditing 500 model versions with the seed.comprehend.audit playbook and with the floor
of its reads.

Against the local emulator. Sharing: one owner account, customer managed keys, N trained classifier versions under
them, shared with one importer account: N = 10, 50, 150 under one key, and 500 under 10 keys. For each N, from the same
fresh state:

* the peer: bench/cli_share.sh, the AWS CLI (awscli, pinned in tests/requirements-awscli.txt, in .cache/awscli) following
  the guide model by model: put-resource-policy, then get-key-policy / edit / put-key-policy (one key only);
* the floor: bench/share_floor.py, only the calls a safe share needs, with the modules' concurrency;
* ours: the seed.comprehend.share_model role (bench/share.yml), then the same run again.

Measured: wall time of each (process start-up included), the AWS calls per operation and the write calls from the
emulator's call log, the bytes of each key policy afterwards, and a profile of our first run (Ansible start-up, each
task, AWS busy time, settle pauses) from bench/callback_plugins/task_times.py and the call log's timings. The targets
are recorded, not asserted (see targets()).

Auditing (see audit_world for the mix of shared, unshared and drifted versions): `ansible-playbook
seed.comprehend.audit` as a user runs it, and bench/audit_floor.py, only the reads an audit needs with the module's
concurrency. Measured the same way; the target, recorded: at most 1.05 calls per model version plus 2 per key.

Writes docs/benchmarks.md (a section per benchmark; --only keeps the other section as the last run wrote it) and, for
the sharing benchmark, docs/benchmark.png (time against N).

Usage: python bench/run.py [--only share|audit] [--sizes 10,50,150] [--multi-key 500,10] [--audit-versions 500]
                           [--audit-keys 10] [--output docs] [--repeat 2]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from emulator import client as control  # noqa: E402  pylint: disable=wrong-import-position
from emulator.server import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from playbook_env import BIN, COLLECTIONS, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, str(COLLECTIONS))
# The floor reads with the module's concurrency.
from ansible_collections.seed.comprehend.plugins.module_utils.aws import PARALLEL_CALLS  # noqa: E402  pylint: disable=wrong-import-position

REGION = "us-west-2"
OWNER, IMPORTER = "111122223333", "444455556666"
OWNER_ROLE = f"arn:aws:iam::{OWNER}:role/bench"
IMPORTER_ROOT = f"arn:aws:iam::{IMPORTER}:root"
KEY_POLICY_LIMIT = 32768
AWS_CLI_BIN = REPO / ".cache" / "awscli" / "bin"  # make bench installs the CLI there (Makefile)


def owner_credentials(url: str) -> Dict[str, str]:
    sts = boto3.client("sts", region_name=REGION, endpoint_url=url, aws_access_key_id="bench", aws_secret_access_key="bench")
    return sts.assume_role(RoleArn=OWNER_ROLE, RoleSessionName="bench")["Credentials"]


def owner_client(url: str, credentials: Dict[str, str], service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=url, aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])


def make_world(url: str, size: int, keys: int = 1) -> Dict[str, Any]:
    """A fresh emulator state: `keys` customer managed keys, `size` trained document classifier versions spread over
    them by turns; per key, models of 10 versions (share-KEY-MODEL, v1 to v10), named like audit_world's."""
    control.reset(url)
    credentials = owner_credentials(url)
    kms = owner_client(url, credentials, "kms")
    key_arns = [kms.create_key(Description=f"benchmark model key {index}")["KeyMetadata"]["Arn"] for index in range(keys)]
    comprehend = owner_client(url, credentials, "comprehend")
    models = []
    for index in range(size):
        position = index // keys
        arn = comprehend.create_document_classifier(
            DocumentClassifierName=f"share-{index % keys}-{position // 10}", VersionName=f"v{position % 10 + 1}", LanguageCode="en",
            ModelKmsKeyId=key_arns[index % keys], DataAccessRoleArn=f"arn:aws:iam::{OWNER}:role/comprehend-data-access",
            InputDataConfig={"S3Uri": "s3://bench-training/tickets.csv"})["DocumentClassifierArn"]
        control.set_model_status(url, arn, "TRAINED")
        models.append(arn)
    control.reset_calls(url)
    return {"credentials": credentials, "key_arns": key_arns, "models": models}


def key_policy_bytes(url: str, world: Dict[str, Any]) -> List[int]:
    """The bytes of each key's policy, in the order of world["key_arns"]."""
    kms = owner_client(url, world["credentials"], "kms")
    return [len(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"].encode("utf-8")) for key_arn in world["key_arns"]]


def measured(url: str, command: List[str], env: Dict[str, str]) -> Dict[str, Any]:
    """Run a command, timing it; the AWS calls it made from the call log (then cleared)."""
    control.reset_calls(url)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started_at, started = time.time(), time.monotonic()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    calls = [call for call in control.calls(url) if call["operation"] != "AssumeRole"]
    return {
        "seconds": seconds, "rc": completed.returncode, "stdout": completed.stdout, "output": (completed.stdout + completed.stderr)[-3000:],
        # CPU of the client processes (the AWS CLI or ansible-playbook and what they start), less sensitive than wall
        # time to other work on the machine; the emulator's own CPU is in this process and not counted.
        "cpu": (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
        "key_policy_writes": sum(1 for call in calls if call["operation"] == "PutKeyPolicy" and call["status"] < 400),
        "calls": len(calls), "writes": len(control.write_calls(calls)),
        "by_operation": dict(sorted(collections.Counter(call["operation"] for call in calls).items())),
        "refused": sum(1 for call in calls if call["status"] >= 400),
        # For the profile: the process's start and end on the clock of the call log's "started".
        "call_log": calls, "started_at": started_at, "ended_at": started_at + seconds,
    }


def base_env(work: Path) -> Dict[str, str]:
    return dict(playbook_env(work), PYTHON=sys.executable)


def floor_env(env: Dict[str, str], world: Dict[str, Any]) -> Dict[str, str]:
    """A floor script's environment: the owner's credentials in AWS_* variables, as boto3 reads them."""
    credentials = world["credentials"]
    return dict(env, AWS_ACCESS_KEY_ID=credentials["AccessKeyId"], AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                AWS_SESSION_TOKEN=credentials["SessionToken"])


def run_cli(url: str, world: Dict[str, Any], env: Dict[str, str]) -> Dict[str, Any]:
    command = ["bash", str(REPO / "bench" / "cli_share.sh"), url, REGION, world["key_arns"][0], IMPORTER, OWNER_ROLE, *world["models"]]
    return measured(url, command, dict(env, PATH=f"{AWS_CLI_BIN}{os.pathsep}{env['PATH']}"))


def run_share_floor(url: str, world: Dict[str, Any], env: Dict[str, str], work: Path) -> Dict[str, Any]:
    arns_file = work / "floor-models.json"
    arns_file.write_text(json.dumps(world["models"]), encoding="utf-8")
    command = [sys.executable, str(REPO / "bench" / "share_floor.py"), url, REGION, str(PARALLEL_CALLS), IMPORTER, f"@{arns_file}"]
    return measured(url, command, floor_env(env, world))


def run_role(url: str, world: Dict[str, Any], env: Dict[str, str], work: Path) -> Dict[str, Any]:
    """ansible-playbook bench/share.yml, with bench/callback_plugins/task_times.py enabled (this benchmark only)
    recording each task's start and end for the profile."""
    credentials = world["credentials"]
    variables = {
        "aws_connection": {"endpoint_url": url, "region": REGION, "access_key": credentials["AccessKeyId"],
                           "secret_key": credentials["SecretAccessKey"], "session_token": credentials["SessionToken"]},
        "share_model_arns": world["models"], "share_model_principals": [IMPORTER],
    }
    vars_file, times_file = work / "vars.json", work / "task-times.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    times_file.unlink(missing_ok=True)
    env = dict(env, ANSIBLE_CALLBACK_PLUGINS=str(REPO / "bench" / "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="task_times",
               SEED_BENCH_TASK_TIMES=str(times_file))
    result = measured(url, [str(BIN / "ansible-playbook"), str(REPO / "bench" / "share.yml"), "-e", f"@{vars_file}"], env)
    result["task_times"] = json.loads(times_file.read_text(encoding="utf-8")) if times_file.exists() else None
    return result


def fastest(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The repetition with the least wall time, with the least CPU time of all (others' work on the machine only
    ever adds to both); the calls are the same in every repetition."""
    best = dict(min(runs, key=lambda run: run["seconds"]))
    best["cpu"] = min(run["cpu"] for run in runs)
    return best


def benchmark(url: str, size: int, keys: int, work: Path, repeat: int) -> Dict[str, Any]:
    """The CLI (one key only: its script takes one), the floor, ours and ours rerun, each from the same fresh state
    (the rerun from ours's)."""
    env = base_env(work)
    runs: Dict[str, List[Dict[str, Any]]] = {"cli": [], "floor": [], "first": [], "rerun": []}
    for _repetition in range(repeat):
        for name in ("cli", "floor", "first") if keys == 1 else ("floor", "first"):
            world = make_world(url, size, keys)
            initial = key_policy_bytes(url, world)
            if name == "cli":
                result = run_cli(url, world, env)
            elif name == "floor":
                result = run_share_floor(url, world, env, work)
            else:
                result = run_role(url, world, env, work)
            result["key_policy_bytes"] = key_policy_bytes(url, world)
            runs[name].append(result)
        rerun = run_role(url, world, env, work)  # on the state ours's first run left
        rerun["key_policy_bytes"] = key_policy_bytes(url, world)
        runs["rerun"].append(rerun)
    for name, results in runs.items():
        for result in results:
            if result["rc"] != 0:
                print(f"N={size} {name} failed (rc {result['rc']}):\n{result['output'][-600:]}", file=sys.stderr)
    return {"size": size, "keys": keys, "initial_key_policy_bytes": initial[0], "repeat": repeat,
            **{name: fastest(results) if results else None for name, results in runs.items()}}


def operations(result: Dict[str, Any]) -> str:
    return ", ".join(f"{operation} {count}" for operation, count in result["by_operation"].items())


def union_seconds(spans: List[Tuple[float, float]]) -> float:
    """The time covered by at least one of the (start, end) spans."""
    covered, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def call_span(call: Dict[str, Any]) -> Tuple[float, float]:
    return call["started"], call["started"] + call["seconds"]


def profile(run: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Where a playbook run's wall time went, from its task times (the callback) and the emulator's call log: start-up
    (process start to the first task), each task (its AWS calls, the time at least one was in flight, the time before
    its first call: module start-up), the gaps between tasks, the end (last task to process exit), and the settle
    pauses: each PutResourcePolicy's end to the next DescribeResourcePolicy of the same ARN."""
    if not run.get("task_times"):
        return None
    tasks = [task for task in run["task_times"]["tasks"] if task["ended"]]
    calls, rows = run["call_log"], []
    for task in tasks:
        inside = [call for call in calls if task["started"] <= call["started"] < task["ended"]]
        wall = task["ended"] - task["started"]
        busy = union_seconds([call_span(call) for call in inside])
        before_first = min(call["started"] for call in inside) - task["started"] if inside else 0.0
        rows.append({"name": task["name"], "wall": wall, "calls": len(inside), "busy": busy, "before_first": before_first,
                     "rest": wall - busy - before_first})
    pauses = []
    for index, put in enumerate(calls):
        if put["operation"] == "PutResourcePolicy" and put["status"] < 400:
            end = call_span(put)[1]
            read = next((call for call in calls[index + 1:] if call["operation"] == "DescribeResourcePolicy"
                         and call["resource"] == put["resource"] and call["started"] >= end), None)
            if read is not None:
                pauses.append((end, read["started"]))
    return {"startup": tasks[0]["started"] - run["started_at"] if tasks else run["seconds"], "tasks": rows,
            "between": sum(later["started"] - earlier["ended"] for earlier, later in zip(tasks, tasks[1:])),
            "end": run["ended_at"] - tasks[-1]["ended"] if tasks else 0.0,
            "unattributed_calls": len(calls) - sum(row["calls"] for row in rows),
            "pauses": [read - end for end, read in pauses], "pauses_union": union_seconds(pauses)}


def task_label(name: str) -> str:
    """A task's name without the role's prefix, cut to a table cell's width."""
    name = name.split(" : ", 1)[-1]
    return name if len(name) <= 90 else name[:89] + "…"


def profile_lines(result: Dict[str, Any]) -> List[str]:
    run = result["first"]
    size = f"N = {result['size']}" + (f" under {result['keys']} keys" if result["keys"] > 1 else "")
    found = profile(run)
    if found is None:
        return [f"{size}: no task times (the callback wrote none; rc {run['rc']})."]
    lines = [f"#### Ours, first run, {size} ({run['seconds']:.2f} s wall)", "",
             "| step | wall s | AWS calls | AWS busy s | before its first call s | rest s |", "|---|---|---|---|---|---|",
             f"| Ansible start-up (process start to the first task) | {found['startup']:.2f} | | | | |"]
    for row in found["tasks"]:
        lines.append(f"| task: {task_label(row['name'])} | {row['wall']:.2f} | {row['calls']} | {row['busy']:.2f} | {row['before_first']:.2f} | "
                     f"{row['rest']:.2f} |")
    total = {key: sum(row[key] for row in found["tasks"]) for key in ("wall", "calls", "busy", "before_first", "rest")}
    lines += [f"| all tasks | {total['wall']:.2f} | {total['calls']} | {total['busy']:.2f} | {total['before_first']:.2f} | {total['rest']:.2f} |",
              f"| between tasks | {found['between']:.2f} | | | | |",
              f"| after the last task (stats, exit) | {found['end']:.2f} | | | | |", ""]
    pauses = found["pauses"]
    if pauses:
        lines.append(f"Settle pauses (a PutResourcePolicy's end to the next DescribeResourcePolicy of the same ARN): {len(pauses)}, "
                     f"mean {sum(pauses) / len(pauses):.3f} s (min {min(pauses):.3f}, max {max(pauses):.3f}), {sum(pauses):.2f} s in all, "
                     f"overlapping into {found['pauses_union']:.2f} s of wall time.")
    else:
        lines.append("Settle pauses: no PutResourcePolicy was followed by a DescribeResourcePolicy of the same ARN.")
    if found["unattributed_calls"]:
        lines.append(f"{found['unattributed_calls']} calls fell outside every task's span.")
    return lines + [""]


def cost_per_version(results: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """Seconds per added model version of ours (first run) and the floor: the slope between N = 50 and N = 150 under
    one key, else between the two largest one-key sizes measured."""
    one_key = {result["size"]: result for result in results if result["keys"] == 1}
    sizes = [50, 150] if {50, 150} <= set(one_key) else sorted(one_key)[-2:]
    if len(sizes) < 2:
        return None
    low, high = one_key[sizes[0]], one_key[sizes[1]]
    return {"sizes": sizes, "runs": [result[name] for result in (low, high) for name in ("first", "floor")],
            **{name: (high[name]["seconds"] - low[name]["seconds"]) / (sizes[1] - sizes[0]) for name in ("first", "floor")}}


def verdict(met: bool, *runs: Dict[str, Any]) -> str:
    """met or NOT met; a failed run never meets a target."""
    failed = [run["rc"] for run in runs if run["rc"]]
    return f"**{'met' if met and not failed else 'NOT met'}**" + (f" (a run failed: rc {', '.join(map(str, failed))})" if failed else "")


def targets(results: List[Dict[str, Any]]) -> List[str]:
    by_size = {result["size"]: result for result in results if result["keys"] == 1}
    lines = []
    for size in (50, 150):
        if size in by_size:
            ratio = by_size[size]["first"]["seconds"] / by_size[size]["floor"]["seconds"]
            lines.append(f"- First share, ours / floor at most 3 at N = {size}: {by_size[size]['first']['seconds']:.1f} s / "
                         f"{by_size[size]['floor']['seconds']:.1f} s = {ratio:.2f}: {verdict(ratio <= 3, by_size[size]['first'], by_size[size]['floor'])}.")
        else:
            lines.append(f"- First share, ours / floor at most 3 at N = {size}: not measured in this run.")
    cost = cost_per_version(results)
    if cost:
        slopes = (f"- Cost per added model version at most twice the floor's (slope between N = {cost['sizes'][0]} and "
                  f"N = {cost['sizes'][1]}, one key): ours {1000 * cost['first']:.1f} ms, floor {1000 * cost['floor']:.1f} ms")
        if cost["floor"] > 0 and cost["first"] > 0:
            lines.append(f"{slopes}, ratio {cost['first'] / cost['floor']:.2f}: {verdict(cost['first'] <= 2 * cost['floor'], *cost['runs'])}.")
        else:  # a time that fell as N grew: the machine's noise outweighed the work added
            lines.append(f"{slopes}: **not measurable** in this run (a time fell as N grew: noise; rerun on a quiet machine).")
    else:
        lines.append("- Cost per added model version: not measured (it needs two one-key sizes).")
    for result in results:
        first, floor, size, keys = result["first"], result["floor"], result["size"], result["keys"]
        met = verdict(first["calls"] <= 1.25 * floor["calls"], first, floor)
        lines.append(f"- First-run AWS calls at most 1.25x the floor's at N = {size} ({keys} key{'s' if keys > 1 else ''}): "
                     f"{first['calls']} / {floor['calls']} = {first['calls'] / floor['calls']:.2f}: {met}.")
    for result in results:
        rerun, size, keys = result["rerun"], result["size"], result["keys"]
        allowed = 2 * size + 3 * keys
        lines.append(
            f"- Rerun at N = {size} ({keys} key{'s' if keys > 1 else ''}): {rerun['writes']} writes (target 0: {verdict(rerun['writes'] == 0, rerun)}), "
            f"{rerun['calls']} API calls (target at most 2 per model version + 3 per key = {allowed}: {verdict(rerun['calls'] <= allowed, rerun)}; "
            f"{rerun['calls'] / size:.2f} per model version).")
    for result in results:
        if result["keys"] > 1:
            lines.append(f"- N = {result['size']} under {result['keys']} keys completes: ours rc {result['first']['rc']}, rerun rc "
                         f"{result['rerun']['rc']}: {verdict(result['first']['rc'] == 0 and result['rerun']['rc'] == 0)}; key-policy "
                         "bytes per key in the key-policy table above.")
    return lines


def chart(results: List[Dict[str, Any]], path: Path) -> None:
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    one_key = [result for result in results if result["keys"] == 1]
    sizes = [result["size"] for result in one_key]
    figure, panels = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    for axes, key, label in ((panels[0], "seconds", "wall time (s)"), (panels[1], "cpu", "client CPU time (s)")):
        axes.plot(sizes, [result["cli"][key] for result in one_key], "o-", label="AWS CLI, the guide's steps")
        axes.plot(sizes, [result["floor"][key] for result in one_key], "D-", label="floor: minimal boto3 script")
        axes.plot(sizes, [result["first"][key] for result in one_key], "s-", label="share_model role, first run")
        axes.plot(sizes, [result["rerun"][key] for result in one_key], "^--", label="share_model role, rerun")
        for result in one_key:
            if result["cli"]["rc"]:
                axes.annotate(f"CLI failed after {result['cli']['key_policy_writes']}\nmodels: key policy full",
                              (result["size"], result["cli"][key]), textcoords="offset points", xytext=(-120, 8), fontsize=8,
                              arrowprops={"arrowstyle": "->", "alpha": 0.6})
        axes.set_xlabel("model versions shared (N), one customer managed key")
        axes.set_ylabel(f"{label}, log scale")
        axes.set_xticks(sizes)
        axes.set_yscale("log")  # the CLI is two orders of magnitude above the floor: a linear axis flattens the rest
        axes.grid(True, alpha=0.3)
    panels[0].legend(loc="best", fontsize=8)
    figure.suptitle("Sharing N Comprehend model versions with one account (local emulator; the run under 10 keys is in the table)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def run_line(load: float, extra: str = "") -> str:
    return (f"Run: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}{extra}; load average {load:.1f} when it started (the "
            "machine may be shared: CPU times are the steadier figures).")


def bytes_cell(sizes: List[int]) -> str:
    return ", ".join(f"{size} ({100 * size / KEY_POLICY_LIMIT:.0f}%)" for size in sizes)


def share_section(results: List[Dict[str, Any]], awscli: str, repeat: int, load: float) -> str:
    lines = [
        SECTIONS["share"],
        "",
        run_line(load, f", {awscli}"),
        "",
        "Setup, for each N: the local emulator (moto server, extended), one owner account (111122223333), customer managed "
        "KMS keys, N trained document classifier versions encrypted with them (by turns; per key, models of 10 versions "
        "named `share-KEY-MODEL`, v1 to v10, like the audit benchmark's), shared with one importer account (444455556666). "
        "Each run starts from the same fresh state; the rerun from its first run's.",
        "",
        "- **AWS CLI**: `bench/cli_share.sh`, the AWS guide's steps per model: `put-resource-policy`, then "
        "`get-key-policy` / edit (two statements per model, compact JSON) / `put-key-policy`; credentials from "
        "`sts assume-role`, `--endpoint-url` pointing at the emulator. One key only: the script takes one key, and the "
        "guide's way fills a key policy at about 50 versions (below), so it is not run under several keys.",
        f"- **floor**: `bench/share_floor.py`, plain boto3 making only the calls a safe first share needs, {PARALLEL_CALLS} at a "
        "time like the modules (`PARALLEL_CALLS`): per model version DescribeDocumentClassifier, DescribeResourcePolicy, "
        "PutResourcePolicy (with the revision it read when a policy existed); per key DescribeKey, GetKeyPolicy and one "
        "PutKeyPolicy adding two statements for the importer that name all its model versions. It refuses an untrained "
        "model or an unusable key before the first write; it checks nothing else and reads nothing back.",
        "- **ours**: `ansible-playbook bench/share.yml` (the `seed.comprehend.share_model` role), then the same "
        "command again (rerun).",
        "- Wall time includes process start-up on every side; CPU is that of the client processes (user + system), which "
        f"other work on a shared machine disturbs less. Each figure is {f'the fastest of {repeat} runs' if repeat > 1 else 'from one run'}. "
        "API calls and writes "
        "come from the emulator's call log (sts:AssumeRole left out).",
        "",
        "| N | keys | CLI s (CPU s) | floor s (CPU s) | ours s (CPU s) | ours / floor | ours / CLI | rerun s (CPU s) | "
        "CLI calls / writes | floor calls / writes | ours calls / writes | rerun calls / writes | key policy bytes: CLI, floor, ours |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        cli, floor, first, rerun = result["cli"], result["floor"], result["first"], result["rerun"]
        if cli:
            failed = f", failed after {cli['key_policy_writes']} of {result['size']} models" if cli["rc"] else ""
            cli_cells = [f"{cli['seconds']:.1f} ({cli['cpu']:.1f}{failed})", f"{first['seconds'] / cli['seconds']:.2f}", f"{cli['calls']} / {cli['writes']}"]
            key_bytes = f"{bytes_cell(cli['key_policy_bytes'])}; {bytes_cell(floor['key_policy_bytes'])}; {bytes_cell(first['key_policy_bytes'])}"
        else:
            cli_cells = ["not run", "", ""]
            key_bytes = "per key below"
        lines.append(
            f"| {result['size']} | {result['keys']} | {cli_cells[0]} | {floor['seconds']:.1f} ({floor['cpu']:.1f}) | "
            f"{first['seconds']:.1f} ({first['cpu']:.1f}) | {first['seconds'] / floor['seconds']:.2f} | {cli_cells[1]} | "
            f"{rerun['seconds']:.1f} ({rerun['cpu']:.1f}) | {cli_cells[2]} | {floor['calls']} / {floor['writes']} | "
            f"{first['calls']} / {first['writes']} | {rerun['calls']} / {rerun['writes']} | {key_bytes} |")
    lines.append("")
    if any(result["keys"] == 1 for result in results):
        lines += ["![time against N](benchmark.png)", "", "The chart shows the one-key sizes; the run under several keys is only in the tables.", ""]
    for result in results:
        if result["keys"] > 1:
            lines += [f"Key-policy bytes per key at N = {result['size']} under {result['keys']} keys ({result['size'] // result['keys']} "
                      f"model versions each; a key policy holds at most {KEY_POLICY_LIMIT} bytes):", "",
                      "| key | floor | ours |", "|---|---|---|"]
            lines += [f"| {index + 1} | {bytes_cell([floor_bytes])} | {bytes_cell([our_bytes])} |" for index, (floor_bytes, our_bytes)
                      in enumerate(zip(result["floor"]["key_policy_bytes"], result["first"]["key_policy_bytes"]))]
            lines.append("")
    one_key = [result for result in results if result["keys"] == 1]
    cost = cost_per_version(results)
    if cost:
        lines += [f"Cost per added model version (slope of the first-run wall time between N = {cost['sizes'][0]} and "
                  f"N = {cost['sizes'][1]}, one key): ours {1000 * cost['first']:.1f} ms, floor {1000 * cost['floor']:.1f} ms.", ""]
    per_model = []
    for result in one_key:
        cli = result["cli"]
        if cli["key_policy_writes"]:
            per_model.append((cli["key_policy_bytes"][0] - result["initial_key_policy_bytes"]) / cli["key_policy_writes"])
    if per_model:
        fit = int((KEY_POLICY_LIMIT - results[0]["initial_key_policy_bytes"]) // max(per_model))
        lines += [f"The guide's two statements cost up to {max(per_model):.0f} bytes per model version (compact JSON): a key policy "
                  f"holds at most {KEY_POLICY_LIMIT} bytes, so the guide's way fits about {fit} model versions under one key; the "
                  "floor and the role put every version shared with the same importer into one pair of statements.", ""]
    lines += ["### API calls per operation", "", "The writes are the Put calls; calls AWS refused (HTTP 400 and above), if any, are counted "
              "beside the run's name.", "", "| N | keys | run | calls per operation |", "|---|---|---|---|"]
    for result in results:
        for name, key in (("CLI", "cli"), ("floor", "floor"), ("ours, first run", "first"), ("ours, rerun", "rerun")):
            if result[key]:
                refused = f" ({result[key]['refused']} refused)" if result[key]["refused"] else ""
                lines.append(f"| {result['size']} | {result['keys']} | {name}{refused} | {operations(result[key])} |")
    lines += ["", "### Sharing targets", "", "Recorded, not asserted.", ""] + targets(results)
    profiled = [result for result in one_key if result["size"] in (50, 150)] or results[-1:]
    lines += [
        "",
        "### Where our time goes",
        "",
        "Measured, for our first run: the `task_times` callback (`bench/callback_plugins/`, enabled for this benchmark only "
        "through `ANSIBLE_CALLBACKS_ENABLED`) records when each task starts and ends; the emulator's call log records when "
        "each AWS call arrived and how long serving it took (the server's side: the client's signing and HTTP are not in "
        "it). Per task: its AWS calls, **AWS busy** (the time at least one of them was in flight: they run "
        f"{PARALLEL_CALLS} at a time), **before its first call** (module start-up: AnsiballZ, Python, imports, the client) "
        "and the **rest**: time in the task with no AWS call in flight after its first (pauses, work between calls, later "
        "loop items' start-up, returning the result).",
        "",
    ]
    for result in profiled:
        lines += profile_lines(result)
    return "\n".join(lines) + "\n"


def audit_world(url: str, versions: int, keys: int) -> Dict[str, Any]:
    """A fresh emulator state: `versions` trained model versions of the owner, spread over `keys` customer managed
    keys; per key, models of 10 versions (document classifiers and entity recognizers by turns). Per model, as a model
    lives: v1-v2 unshared; v3 unshared, but the key policy still grants the importer for it (stale_key_access);
    v4-v9 shared with the importer and granted the key; v10 shared, its key grant forgotten (import_will_fail).
    Resource policies come with CreateDocumentClassifier / CreateEntityRecognizer (ModelPolicy), the key grants are
    one pair of statements per key under the guide's conditions."""
    control.reset(url)
    credentials = owner_credentials(url)
    kms, comprehend = owner_client(url, credentials, "kms"), owner_client(url, credentials, "comprehend")
    key_arns = [kms.create_key(Description=f"audit benchmark key {index}")["KeyMetadata"]["Arn"] for index in range(keys)]
    granted: Dict[str, List[str]] = {key_arn: [] for key_arn in key_arns}
    shared_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Import", "Effect": "Allow", "Principal": {"AWS": [IMPORTER_ROOT]}, "Action": "comprehend:ImportModel", "Resource": "*"}]})
    expected = collections.Counter()
    for index in range(versions):
        key_arn, position = key_arns[index % keys], index // keys
        model, version = f"audit-{index % keys}-{position // 10}", position % 10 + 1
        request: Dict[str, Any] = {"VersionName": f"v{version}", "LanguageCode": "en", "ModelKmsKeyId": key_arn,
                                   "DataAccessRoleArn": f"arn:aws:iam::{OWNER}:role/comprehend-data-access"}
        if version >= 4:
            request["ModelPolicy"] = shared_policy
        if (index % keys + position // 10) % 2:
            arn = comprehend.create_entity_recognizer(
                RecognizerName=model, InputDataConfig={"EntityTypes": [{"Type": "PRODUCT"}], "Documents": {"S3Uri": "s3://bench-training/docs"}},
                **request)["EntityRecognizerArn"]
        else:
            arn = comprehend.create_document_classifier(
                DocumentClassifierName=model, InputDataConfig={"S3Uri": "s3://bench-training/tickets.csv"}, **request)["DocumentClassifierArn"]
        control.set_model_status(url, arn, "TRAINED")
        if 3 <= version <= 9:
            granted[key_arn].append(arn)
        expected.update({3: ["stale_key_access"], 10: ["import_will_fail"]}.get(version, []))
    for key_arn, arns in granted.items():
        kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "ImporterDecrypt", "Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Resource": "*",
             "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Condition": {"StringEquals": {"aws:SourceArn": arns}}},
            {"Sid": "ImporterGrant", "Effect": "Allow", "Principal": {"AWS": IMPORTER_ROOT}, "Resource": "*",
             "Action": "kms:CreateGrant", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:comprehend:arn": arns}}}]}))
    control.reset_calls(url)
    return {"credentials": credentials, "versions": versions, "keys": keys, "expected": dict(expected),
            "shared": sum(1 for index in range(versions) if (index // keys) % 10 + 1 >= 4)}


def run_audit(url: str, world: Dict[str, Any], env: Dict[str, str], work: Path) -> Dict[str, Any]:
    """`ansible-playbook seed.comprehend.audit` as a user runs it, the connection in the role's audit_shares_aws; the
    findings it reported, from its share-audit.json."""
    credentials, report_dir = world["credentials"], work / "audit-report"
    report_dir.mkdir(exist_ok=True)
    variables = {
        "audit_shares_aws": {"endpoint_url": url, "region": REGION, "access_key": credentials["AccessKeyId"],
                             "secret_key": credentials["SecretAccessKey"], "session_token": credentials["SessionToken"]},
        "audit_shares_report_dir": str(report_dir),
        "audit_shares_fail_on": "none",  # the drift is on purpose: a finished audit, not a gate
    }
    vars_file = work / "audit-vars.json"
    vars_file.write_text(json.dumps(variables), encoding="utf-8")
    (report_dir / "share-audit.json").unlink(missing_ok=True)
    result = measured(url, [str(BIN / "ansible-playbook"), "seed.comprehend.audit", "-e", f"@{vars_file}"], env)
    report = report_dir / "share-audit.json"
    audit = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {"models": [], "keys": [], "findings": []}
    result["seen"] = {"model_versions": len(audit["models"]), "keys": len(audit["kms_keys"]),
                      "findings": dict(sorted(collections.Counter(finding["type"] for finding in audit["findings"]).items()))}
    return result


def run_floor(url: str, world: Dict[str, Any], env: Dict[str, str]) -> Dict[str, Any]:
    result = measured(url, [sys.executable, str(REPO / "bench" / "audit_floor.py"), url, REGION, str(PARALLEL_CALLS)], floor_env(env, world))
    result["seen"] = json.loads(result["stdout"]) if result["rc"] == 0 else {}
    return result


def audit_benchmark(url: str, versions: int, keys: int, work: Path, repeat: int) -> Dict[str, Any]:
    """Ours and the floor by turns on the same state (both only read), `repeat` times each."""
    env, load = base_env(work), os.getloadavg()[0]
    world = audit_world(url, versions, keys)
    ours, floors = [], []
    for _repetition in range(repeat):
        ours.append(run_audit(url, world, env, work))
        floors.append(run_floor(url, world, env))
    for name, runs in (("ours", ours), ("floor", floors)):
        for run in runs:
            if run["rc"] != 0:
                print(f"audit {name} failed (rc {run['rc']}):\n{run['output'][-600:]}", file=sys.stderr)
    return {"versions": versions, "keys": keys, "expected": world["expected"], "shared": world["shared"], "repeat": repeat, "load": load,
            "ours": fastest(ours), "floor": fastest(floors)}


def audit_allowed(result: Dict[str, Any]) -> float:
    return 1.05 * result["versions"] + 2 * result["keys"]


def audit_target(result: Dict[str, Any]) -> str:
    ours, allowed = result["ours"], audit_allowed(result)
    return (f"- Calls of the audit of {result['versions']} model versions under {result['keys']} keys: {ours['calls']} "
            f"({ours['calls'] / result['versions']:.3f} per model version); target at most 1.05 per model version + 2 per key "
            f"= {allowed:.0f}: **{'met' if ours['calls'] <= allowed else 'NOT met'}**.")


def audit_section(result: Dict[str, Any]) -> str:
    ours, floor, versions, keys = result["ours"], result["floor"], result["versions"], result["keys"]
    expected = ", ".join(f"{kind} {count}" for kind, count in sorted(result["expected"].items()))
    found = ", ".join(f"{kind} {count}" for kind, count in ours["seen"]["findings"].items()) or "none"
    lines = [
        SECTIONS["audit"],
        "",
        run_line(result["load"]),
        "",
        f"Setup: the local emulator, the owner account ({OWNER}), {keys} customer managed KMS keys and {versions} trained model "
        f"versions under them ({versions // keys} per key; document classifiers and entity recognizers by turns, 10 versions "
        f"per model), made directly with boto3. Per model: v1-v2 unshared; v3 unshared but still granted the key "
        f"(drift: stale key access); v4-v9 shared with the importer account ({IMPORTER}) and granted the key; v10 shared, its "
        f"key grant forgotten (drift: the import will fail). {result['shared']} versions shared, findings expected: "
        f"{expected}.",
        "",
        "- **ours**: `ansible-playbook seed.comprehend.audit`, as a user runs it (the connection in `audit_shares_aws`, "
        "`audit_shares_fail_on: none` so that the planted drift doesn't fail the run): the `audit_shares` role with "
        "`amazon.aws.aws_caller_info` and `comprehend_share_info`, the Markdown and JSON reports written.",
        f"- **floor**: `bench/audit_floor.py`, plain boto3 making only the reads an audit needs (every List page, one "
        f"DescribeResourcePolicy per version, DescribeKey and GetKeyPolicy per key), {PARALLEL_CALLS} at a time like "
        "the module (`PARALLEL_CALLS`); it evaluates nothing and writes no report.",
        f"- Both from the same state, by turns; each figure is the fastest of {result['repeat']} runs, process start-up "
        "included. Beyond the floor's reads, ours starts ansible-playbook and two module processes (`aws_caller_info` "
        "makes the two calls the floor doesn't: GetCallerIdentity, ListAccountAliases), evaluates every key-policy "
        "statement for every model version and renders both reports. CPU is that of the client processes. API calls "
        "come from the emulator's call log (sts:AssumeRole of the benchmark's own setup left out).",
        "",
        "| | ours | floor | ours / floor |",
        "|---|---|---|---|",
        f"| wall time, s | {ours['seconds']:.1f} | {floor['seconds']:.1f} | {ours['seconds'] / floor['seconds']:.2f} |",
        f"| client CPU, s | {ours['cpu']:.1f} | {floor['cpu']:.1f} | {ours['cpu'] / floor['cpu']:.2f} |",
        f"| API calls | {ours['calls']} | {floor['calls']} | {ours['calls'] / floor['calls']:.3f} |",
        f"| calls per model version | {ours['calls'] / versions:.3f} | {floor['calls'] / versions:.3f} | |",
        f"| write calls | {ours['writes']} | {floor['writes']} | |",
        f"| model versions / keys read | {ours['seen']['model_versions']} / {ours['seen']['keys']} | "
        f"{floor['seen'].get('model_versions')} / {floor['seen'].get('keys')} | |",
        f"| calls per operation | {operations(ours)} | {operations(floor)} | |",
        "",
        f"Findings the audit reported: {found} (expected: {expected}).",
        "",
        "### Audit target",
        "",
        audit_target(result),
        "",
    ]
    return "\n".join(lines)


# The page's sections, each from its own run (`--only` rewrites one and keeps the other as it was).
SECTIONS = {
    "share": "## Sharing N model versions: the AWS CLI and the floor against the share_model role",
    "audit": "## Auditing an account's model versions: the audit playbook against the floor",
}
PAGE_HEADER = """# Benchmarks: sharing and auditing Comprehend model versions

Generated by `make bench` (`python bench/run.py`; `--only share` or `--only audit` reruns one section and keeps the
other); numbers from the last run of each section on this machine, not asserted.

"""


def kept_section(page: Path, name: str) -> str:
    """Section `name` of the page as the last run wrote it (up to the next section's heading)."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    if SECTIONS[name] not in text:
        return f"{SECTIONS[name]}\n\nNot measured yet: `python bench/run.py --only {name}`.\n"
    section = text[text.index(SECTIONS[name]):]
    ends = [end for end in (section.find(heading, 1) for heading in SECTIONS.values()) if end > 0]
    return section[:min(ends)] if ends else section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one benchmark; the page keeps the other's section")
    parser.add_argument("--sizes", default="10,50,150", help='comma-separated N values of the sharing benchmark, one key ("" for none)')
    parser.add_argument("--multi-key", default="500,10", help="N,KEYS: the sharing benchmark's run under several keys (0 to skip)")
    parser.add_argument("--audit-versions", type=int, default=500, help="model versions of the audit benchmark")
    parser.add_argument("--audit-keys", type=int, default=10, help="customer managed keys of the audit benchmark")
    parser.add_argument("--output", default=str(REPO / "docs"), help="folder for benchmarks.md and benchmark.png")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the fastest is reported")
    args = parser.parse_args()
    if args.audit_versions % args.audit_keys or (args.audit_versions // args.audit_keys) % 10:
        parser.error("--audit-versions must be a multiple of 10 times --audit-keys (models of 10 versions per key)")
    runs = [(int(size), 1) for size in args.sizes.split(",") if size]
    if args.multi_key != "0":
        size, keys = (int(part) for part in args.multi_key.split(","))
        if keys < 2 or size % keys:
            parser.error("--multi-key N,KEYS needs at least 2 keys and N a multiple of KEYS")
        runs.append((size, keys))
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    page = output / "benchmarks.md"
    sections = {name: kept_section(page, name) for name in SECTIONS}
    passed, written = True, []
    with Emulator() as emulator, tempfile.TemporaryDirectory(prefix="seed-bench-") as work:
        if args.only in (None, "share"):
            awscli = subprocess.run([str(AWS_CLI_BIN / "aws"), "--version"], capture_output=True, text=True, check=True).stdout.split()[0]
            results, load = [], os.getloadavg()[0]
            for size, keys in runs:
                result = benchmark(emulator.url, size, keys, Path(work), args.repeat)
                results.append(result)
                cli = f"CLI {result['cli']['seconds']:.1f} s ({result['cli']['calls']} calls), " if result["cli"] else "CLI not run, "
                print(f"N={size}, {keys} key(s): {cli}floor {result['floor']['seconds']:.1f} s ({result['floor']['calls']} calls), ours "
                      f"{result['first']['seconds']:.1f} s ({result['first']['calls']} calls), rerun {result['rerun']['seconds']:.1f} s "
                      f"({result['rerun']['calls']} calls, {result['rerun']['writes']} writes)", flush=True)
            sections["share"] = share_section(results, awscli, args.repeat, load)
            if any(result["keys"] == 1 for result in results):
                chart(results, output / "benchmark.png")
                written.append(output / "benchmark.png")
            print("\n".join(targets(results)))
            # The CLI script failing (its key policy full at N = 50) is a finding the report records, not a failed benchmark.
            passed = all(result[name]["rc"] == 0 for result in results for name in ("floor", "first", "rerun"))
        if args.only in (None, "audit"):
            audited = audit_benchmark(emulator.url, args.audit_versions, args.audit_keys, Path(work), args.repeat)
            print(f"audit: ours {audited['ours']['seconds']:.1f} s ({audited['ours']['calls']} calls), floor "
                  f"{audited['floor']['seconds']:.1f} s ({audited['floor']['calls']} calls)", flush=True)
            sections["audit"] = audit_section(audited)
            print(audit_target(audited))
            # A run that failed, or didn't find the planted drift, measured something else than the audit.
            passed = passed and audited["ours"]["rc"] == 0 and audited["floor"]["rc"] == 0 \
                and audited["ours"]["seen"]["findings"] == audited["expected"]
    page.write_text(PAGE_HEADER + "\n".join(sections[name].rstrip("\n") + "\n" for name in SECTIONS), encoding="utf-8")
    print("written: " + ", ".join(map(str, [page, *written])))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
