"""The lock files (`make lock`) agree with pyproject.toml: a dependency added or re-pinned
there without `make lock` would install from a stale lock and fail far from the cause."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _locked(path: Path) -> dict[str, str]:
    """name → version of every pin, each with at least one hash."""
    text = path.read_text()
    pins = {}
    for match in re.finditer(
        r"^([A-Za-z0-9._-]+)==(\S+)[^\n]*\\\n((?:\s+--hash=\S+.*\n?)+)", text, re.M
    ):
        pins[_normal(match.group(1))] = match.group(2)
    assert pins, path
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for line in requirements:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"pin {line} exactly (STYLE.md §14)"
        pins[_normal(requirement.name)] = specifier.version
    return pins


def test_the_lock_files_pin_what_pyproject_pins_each_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pinned(project["dependencies"])
    dev = _pinned(project["optional-dependencies"]["dev"])
    lock = _locked(ROOT / ".ci" / "requirements.txt")
    lock_dev = _locked(ROOT / ".ci" / "requirements-dev.txt")
    assert {name: lock.get(name) for name in runtime} == runtime, "run `make lock`"
    assert {name: lock_dev.get(name) for name in {**runtime, **dev}} == {**runtime, **dev}, (
        "run `make lock`"
    )
    # The image installs no test tools.
    assert not set(dev) & set(lock)
    # Every line of the lock files is a hashed pin (pip --require-hashes needs all of them).
    for path in (ROOT / ".ci" / "requirements.txt", ROOT / ".ci" / "requirements-dev.txt"):
        names = re.findall(r"^([A-Za-z0-9._-]+)==", path.read_text(), re.M)
        assert len(names) == len(_locked(path)), path
