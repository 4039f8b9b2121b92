"""galaxy.yml's version agrees with the changelog and with every example that names a version (release_versions.py,
which tests/build_check.py also runs before it builds a tarball)."""

from __future__ import annotations

from release_versions import changelog_problems, check, example_files, galaxy_version


def test_examples_are_found():
    names = {path.name for path in example_files()}
    assert {"README.md", "SECURITY.md", "execution-environment.yml", "owner.rst"} <= names, names


def test_changelog_agrees_with_galaxy_version():
    assert changelog_problems(galaxy_version()) == []


def test_examples_name_galaxy_version():
    problems, _pending = check()
    assert problems == [], "\n".join(problems)
