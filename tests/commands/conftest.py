from io import StringIO

import pytest
from django.core.management import CommandError, call_command


class Result:
    def __init__(self, stdout: str, stderr: str, error: CommandError | None = None):
        self.stdout, self.stderr, self.error = stdout, stderr, error


def _call(args, options, *, expect_error: bool) -> Result:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
    except CommandError as error:
        if not expect_error:
            raise
        return Result(out.getvalue(), err.getvalue(), error)
    if expect_error:
        pytest.fail(f"{args[0]} succeeded but should have failed:\n{out.getvalue()}")
    return Result(out.getvalue(), err.getvalue())


@pytest.fixture
def run():
    """Run a management command as an operator would; returns its stdout and stderr."""
    return lambda *args, **options: _call(args, options, expect_error=False)


@pytest.fixture
def run_failing():
    """Run a command that must fail (CommandError, a non-zero exit for an operator)."""
    return lambda *args, **options: _call(args, options, expect_error=True)
