"""The developer lock (``requirements-dev.lock``) pins the dev extra on top of the test lock.

It is what ``pip install -r requirements-dev.lock`` installs to run ``scripts/mutate.py``;
``.ci/lock`` writes it with the other two, constrained by the test lock, so installing it never
moves a package CI tests with. CI itself does not install it.
"""

from __future__ import annotations

from test_lock import REPO, _requirements, _unsatisfied, pins


def test_dev_lock_is_hashed_and_satisfies_the_dev_and_test_extras() -> None:
    text = (REPO / "requirements-dev.lock").read_text(encoding="utf-8")
    assert "--hash=sha256:" in text, "requirements-dev.lock has no hashes: regenerate it with `bash .ci/lock`"
    pinned = pins(REPO / "requirements-dev.lock")
    problems = _unsatisfied(_requirements(None) + _requirements("test") + _requirements("dev"), pinned)
    assert not problems, "refresh the locks with `bash .ci/lock`:\n" + "\n".join(problems)


def test_dev_lock_moves_no_package_of_the_test_lock() -> None:
    test, dev = pins(REPO / "requirements-test.lock"), pins(REPO / "requirements-dev.lock")
    differ = {name: (version, dev.get(name)) for name, version in test.items() if dev.get(name) != version}
    assert not differ, f"requirements-dev.lock moves packages of the test lock: {differ}"


def test_the_lock_script_writes_the_dev_lock_and_ci_does_not_install_it() -> None:
    script = (REPO / ".ci" / "lock").read_text(encoding="utf-8")
    assert "--extra dev" in script and "requirements-dev.lock" in script
    assert "requirements-dev.lock" not in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for workflow in (REPO / ".github" / "workflows").glob("*.yml"):
        assert "requirements-dev.lock" not in workflow.read_text(encoding="utf-8"), workflow.name
