"""The layering docs/architecture.md describes, checked on the source: every utility file says what it holds, pure
files stay free of AWS libraries, and what runs on the target imports only what Ansible ships to it."""

from __future__ import annotations

import ast
from itertools import takewhile
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
COLLECTION = "ansible_collections.seed.comprehend.plugins"
# Libraries that talk to AWS: a pure file imports none of them, so that it can be tested and reasoned about alone.
AWS_LIBRARIES = ("boto3", "botocore", "ansible_collections.amazon.aws")
# module_utils files that hold AWS calls without the _aws suffix: the shared helpers around every call.
AWS_SIDE_WITHOUT_SUFFIX = ("aws.py", "_comprehend/api.py")
LICENSE_LINE = "# GNU General Public License v3.0+"
# A first line of fewer words can't say what a file holds.
MIN_SUMMARY_WORDS = 4


def python_files(*folders: str) -> List[Path]:
    return sorted(path for folder in folders for path in (PLUGINS / folder).rglob("*.py"))


def label(path: Path) -> str:
    return str(path.relative_to(PLUGINS))


def is_aws_side(path: Path) -> bool:
    relative = path.relative_to(PLUGINS / "module_utils").as_posix()
    return path.name.endswith("_aws.py") or relative in AWS_SIDE_WITHOUT_SUFFIX


UTILITY_FILES = python_files("module_utils", "plugin_utils")
MODULE_UTILS = python_files("module_utils")
PURE_FILES = [path for path in MODULE_UTILS if not is_aws_side(path)]
AWS_SIDE_FILES = [path for path in MODULE_UTILS if is_aws_side(path)]
MODULES = python_files("modules")


def dotted(path: Path) -> str:
    """The import name of a plugins file."""
    return ".".join((COLLECTION, *path.relative_to(PLUGINS).with_suffix("").parts))


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, dotted name) of every import in the file, nested ones (in try: or a function) included."""
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, "." * node.level + (node.module or "")


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def imports_within(path: Path, *packages: str) -> List[str]:
    return [f"{label(path)}:{line} imports {name}" for line, name in imports(path)
            if any(within(name, package) for package in packages)]


def collection_imports_outside_module_utils(path: Path) -> List[str]:
    return [f"{label(path)}:{line} imports {name}" for line, name in imports(path)
            if within(name, COLLECTION) and not within(name, f"{COLLECTION}.module_utils")]


@pytest.mark.parametrize("path", UTILITY_FILES, ids=label)
def test_every_utility_file_opens_with_the_license_then_a_docstring_saying_what_it_holds(path):
    header = takewhile(lambda line: line.startswith("#"), path.read_text(encoding="utf-8").splitlines())
    assert any(line.startswith(LICENSE_LINE) for line in header), f"{label(path)} doesn't open with the license comment lines"
    # Comments aren't statements: a docstring first in the tree is the first thing after the comment lines.
    docstring = ast.get_docstring(parsed(path))
    assert docstring, f"{label(path)}: the first statement after the license lines must be a docstring"
    summary = docstring.splitlines()[0].strip()
    assert len(summary.split()) >= MIN_SUMMARY_WORDS, f"{label(path)}: the docstring's first line {summary!r} doesn't say what the file holds"


@pytest.mark.parametrize("path", PURE_FILES, ids=label)
def test_pure_files_import_no_aws_library_nor_an_aws_side_file(path):
    found = imports_within(path, *AWS_LIBRARIES, *map(dotted, AWS_SIDE_FILES))
    assert not found, ("a pure file (no _aws suffix) holds no AWS calls; move them to its _aws side, or rename it: "
                       + "; ".join(found))


@pytest.mark.parametrize("path", [path for path in MODULE_UTILS if path.name.endswith("_aws.py")], ids=label)
def test_every_aws_side_is_named_after_its_pure_file(path):
    pure = path.with_name(path.name[:-len("_aws.py")] + ".py")
    assert pure.exists(), f"{label(path)} has no pure file {label(pure)}: name an AWS side after what it plans or shapes"


@pytest.mark.parametrize("path", MODULE_UTILS, ids=label)
def test_module_utils_never_import_plugin_utils(path):
    # Only module_utils travel with a module to the target (AnsiballZ); plugin_utils stay on the controller.
    found = collection_imports_outside_module_utils(path)
    assert not found, "module_utils may import only module_utils of the collection: " + "; ".join(found)


@pytest.mark.parametrize("path", MODULES, ids=label)
def test_modules_import_only_module_utils_of_the_collection(path):
    found = collection_imports_outside_module_utils(path)
    assert not found, "a module may import only module_utils of the collection (plugin_utils are controller-side): " + "; ".join(found)


def test_the_checks_see_every_layer():
    # An empty parametrisation would pass silently: a moved folder must fail here instead.
    assert UTILITY_FILES and PURE_FILES and MODULES
    assert set(PURE_FILES) < set(MODULE_UTILS)
    assert all((PLUGINS / "module_utils" / name).exists() for name in AWS_SIDE_WITHOUT_SUFFIX)
