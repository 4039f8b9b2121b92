"""How the bad-input tests judge a failed run: what AWS saw (the emulator's call log), whether the message names
the option at fault, and the tally of one target's cases for the report (test_bad_input.py, test_role_refusals.py).

A refusal of input must come before any write call reaches AWS. A failure that is AWS answering about its state
(a model this account can't see, a principal IAM doesn't know) is no refusal of input and is counted apart: it may
come from a write AWS refused (only KMS can tell whether a principal exists), but AWS must not have served one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List

import yaml
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec

from emulator.client import write_calls

# AWS answering about its state, not refusing input: the message names the resource or principal, not an option.
STATE_FAILURE = re.compile(r"does not exist, or this account can't see it|was not found: check the ARN|Only trained models can be shared|"
                           r"encrypted with an AWS managed key|is an AWS managed key|A principal it names may not exist|"
                           r"KMS refused the import of|is not authorised to import|already exists in account")


@dataclass(frozen=True)
class RunOutcome:
    """How one run ended, and the AWS calls it made (entries of the emulator's call log)."""

    failed: bool
    message: str
    traceback: str
    calls: List[Dict[str, Any]]
    where: str = ""  # the task that failed, in a role run

    @property
    def told(self) -> str:
        """The failure as a note tells it."""
        return f"[{self.where}] {self.message}" if self.where else self.message

    @property
    def writes_sent(self) -> int:
        """Write calls that reached AWS, served or refused."""
        return len(write_calls(self.calls))

    @property
    def writes_served(self) -> int:
        """Write calls AWS carried out."""
        return sum(1 for call in write_calls(self.calls) if call["status"] < 400)


def names_an_option(message: str, options: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(option)}(?![A-Za-z0-9_])", message) for option in options)


# amazon.aws hands botocore's refusal of a region on as it is, which names the option as boto3 does.
BOTO3_SPELLINGS = ("region_name",)


def module_options(module: Any) -> List[str]:
    """Every option name and alias of a module, its own and amazon.aws's common ones (and boto3's spelling of them)."""
    names = set(BOTO3_SPELLINGS)
    options = dict(yaml.safe_load(module.DOCUMENTATION)["options"])
    options.update(aws_argument_spec())
    for name, spec in options.items():
        names.add(name)
        names.update(spec.get("aliases") or [])
    return sorted(names)


class Tally:
    """What happened to the cases of one target: accepted, refused naming an option, or failed on AWS's state."""

    def __init__(self, options: List[str]) -> None:
        self.options = options
        self.counts: Counter = Counter()
        self.examples: Dict[str, List[str]] = {}

    def problem(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, [])
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(example[:400])

    def judge(self, args: Any, outcome: RunOutcome, keys: List[str]) -> None:
        """One case; ``keys`` are the option names the user wrote, which a message may name too."""
        self.counts["cases"] += 1
        if outcome.traceback:
            self.problem("tracebacks", f"{args!r:.200} -> {outcome.traceback}")
            return
        if not outcome.failed:
            self.counts["accepted"] += 1
            return
        message = outcome.message
        if STATE_FAILURE.search(message):
            self.counts["AWS state failures"] += 1
            writes = outcome.writes_served
        else:
            self.counts["refused"] += 1
            writes = outcome.writes_sent
            if names_an_option(message, self.options + keys):
                self.counts["refusals naming the option"] += 1
            else:
                self.problem("refusals not naming an option", f"{args!r:.200} -> {outcome.told}")
        if writes:
            self.problem("writes before a refusal", f"{args!r:.200} -> {writes} write(s), then: {outcome.told}")

    def row(self, target: str) -> Dict[str, Any]:
        return {"target": target, "cases": self.counts["cases"], "accepted": self.counts["accepted"],
                "refused": self.counts["refused"], "AWS state failures": self.counts["AWS state failures"],
                "tracebacks": self.counts["tracebacks"], "writes before a refusal": self.counts["writes before a refusal"],
                "refusals not naming an option": self.counts["refusals not naming an option"]}

    @property
    def ok(self) -> bool:
        return not (self.counts["tracebacks"] or self.counts["writes before a refusal"] or self.counts["refusals not naming an option"])

    def notes(self, target: str) -> List[str]:
        return [f"{target}, {kind}: e.g. {example}" for kind, examples in self.examples.items() for example in examples[:2]]
