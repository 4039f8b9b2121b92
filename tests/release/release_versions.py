"""Version agreement, checked by tests/release/test_versions.py and before every tarball tests/build_check.py builds.

- galaxy.yml's version and the changelog agree (the release flow in CHANGELOG.md / changelogs/): either it is
  released (in changelogs/changelog.yaml, in CHANGELOG.md, no fragment left over), or it is the next version,
  newer than every release, and the changes made since wait in changelogs/fragments/.
- Every example that names an exact version of the collection (`seed.comprehend:==X`, `seed-comprehend-X.tar.gz`,
  `version: X` under `name: seed.comprehend` or after a tarball name, "install version X", the EE tag
  `seed-comprehend-ee:X`) names galaxy.yml's. Floors such as `>=0.1.0` and mentions of past releases in prose
  ("the 0.1.0 policy") are not examples and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SEMVER = r"\d+\.\d+\.\d+"
EXAMPLE_PATTERNS = (
    re.compile(rf"seed\.comprehend:==?({SEMVER})"),
    re.compile(rf"seed-comprehend-({SEMVER})\.tar\.gz"),
    re.compile(rf"seed-comprehend-ee:({SEMVER})"),
    re.compile(rf"install version ({SEMVER})"),
    re.compile(rf"name: seed\.comprehend\s*\n\s*version: \"?({SEMVER})\"?"),
    re.compile(rf"`version: ({SEMVER})`"),
)
# Examples whose version a file's owner has yet to bring up to date: (file, stale text). Each entry must still be
# found, so the list shrinks as they are fixed; it is reported by the build and must be empty at a release.
PENDING = {
    ("docs/README.md", "seed-comprehend-ee:0.1.0"),
    ("docs/README.md", "seed-comprehend-0.1.0.tar.gz"),
    ("docs/execution-environment.yml", "seed-comprehend-ee:0.1.0"),
}


def galaxy_version() -> str:
    return str(yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["version"])


def version_key(version: str) -> tuple:
    return tuple(int(part) for part in version.split("."))


def example_files() -> list:
    files = [REPO / "README.md", REPO / "SECURITY.md"]
    files += sorted((REPO / "docs").glob("*.md")) + sorted((REPO / "docs").glob("*.yml"))
    files += sorted((REPO / "docs" / "docsite").rglob("*.rst")) + sorted((REPO / "roles").glob("*/README.md"))
    return [path for path in files if path.is_file()]


def changelog_problems(version: str) -> list:
    changelog = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text(encoding="utf-8")) or {}
    releases = [str(released) for released in (changelog.get("releases") or {})]
    fragments = sorted(path.name for path in (REPO / "changelogs" / "fragments").glob("*.yml"))
    if version in releases:
        problems = []
        if version != max(releases, key=version_key):
            problems.append(f"galaxy.yml's version {version} is released but is not the latest release "
                            f"({max(releases, key=version_key)})")
        if fragments:
            problems.append(f"galaxy.yml's version {version} is released, yet fragments are left: {fragments}")
        if f"## v{version}" not in (REPO / "CHANGELOG.md").read_text(encoding="utf-8").replace("\\", ""):
            problems.append(f"CHANGELOG.md has no section for {version}: run antsibull-changelog generate")
        return problems
    newer = [released for released in releases if version_key(released) >= version_key(version)]
    if newer:
        return [f"galaxy.yml's version {version} is not released and not newer than the releases {newer}"]
    if not fragments:
        return [f"galaxy.yml's version {version} is not released and no changelog fragment says what changed"]
    return []


def example_problems(version: str) -> tuple:
    """(problems, pending): examples naming another version, and the PENDING ones found as listed."""
    problems, pending = [], []
    for path in example_files():
        name = str(path.relative_to(REPO))
        text = path.read_text(encoding="utf-8")
        for pattern in EXAMPLE_PATTERNS:
            for match in pattern.finditer(text):
                if match.group(1) == version:
                    continue
                line = text.count("\n", 0, match.start()) + 1
                excerpt = match.group(0).replace("\n", " ")
                if any(name == file and stale in match.group(0) for file, stale in PENDING):
                    pending.append(f"{name}:{line}: {excerpt}")
                else:
                    problems.append(f"{name}:{line}: {excerpt} (galaxy.yml says {version})")
    for file, stale in sorted(PENDING):
        if stale not in (REPO / file).read_text(encoding="utf-8"):
            problems.append(f"{file} no longer holds {stale}: remove it from PENDING in {Path(__file__).name}")
    return problems, pending


def check() -> tuple:
    """(problems, pending) for galaxy.yml's version."""
    version = galaxy_version()
    problems, pending = example_problems(version)
    changelog = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text(encoding="utf-8")) or {}
    if version in {str(released) for released in changelog.get("releases") or {}}:
        if pending:
            problems.append(f"version {version} is released with examples naming another version: {pending}")
        if not yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8")).get("repository"):
            problems.append(f"version {version} is released but galaxy.yml names no repository: Galaxy refuses it")
    return changelog_problems(version) + problems, pending
