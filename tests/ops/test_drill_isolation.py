"""A failed end-to-end drill does not poison the tests after it (tests/e2e/conftest.py).

After a failure the next test first converges the environment. If that works, later tests run
and fail only for their own reasons; if not, each is skipped with a reason naming the first failure.
Run through pytester in a subprocess, so the record of failures stays out of the real e2e module.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.e2e.conftest import PROJECT_ROOT

CONFTEST = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    import pytest
    from tests.e2e.conftest import converge_after_a_failure, pytest_runtest_makereport  # noqa: F401

    class FakeRun:
        def __init__(self, code):
            self.returncode, self.stderr = code, "error: apply of dev failed: InvalidPermission.Duplicate\\n"

    class FakeE2E:
        def __init__(self, converges):
            self.converges, self.deploys = converges, 0

        def ops(self, *args, **extra):
            self.deploys += 1
            return FakeRun(0 if self.converges else 1)

    E2E = FakeE2E(converges={converges})

    @pytest.fixture(autouse=True)
    def converged():
        converge_after_a_failure(E2E, "dev", lambda: False)

    def pytest_configure(config):
        config.addinivalue_line("markers", "e2e: end to end")
    """
)

TESTS = textwrap.dedent(
    """
    import pytest
    pytestmark = pytest.mark.e2e

    def test_first_drill():
        assert False, "the rule already exists"

    def test_second():
        pass

    def test_third():
        assert False, "its own reason"

    def test_fourth():
        pass
    """
)


@pytest.mark.parametrize("converges", [True, False], ids=["converges", "stays-broken"])
def test_a_failed_drill_is_converged_after_or_names_itself_in_every_later_skip(pytester, converges):
    pytester.makeconftest(CONFTEST.format(root=str(PROJECT_ROOT), converges=converges))
    pytester.makepyfile(test_drills=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs", "-p", "no:randomly")
    if converges:
        result.assert_outcomes(passed=2, failed=2)
        assert "its own reason" in result.stdout.str()
    else:
        result.assert_outcomes(failed=1, skipped=3)
        skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
        assert len(skips) == 3
        for line in skips:
            assert "test_first_drill failed: AssertionError: the rule already exists" in line, line
            assert "converging dev afterwards failed too (error: apply of dev failed: InvalidPermission.Duplicate)" in line, line
