"""The pytest plugin that grades: fixtures for tests, results from reports.

Tests reach the learner's code through the ``submission`` fixture (calls go
to the worker, see ``grader.sandbox``) and the reference solution through
``reference``. ``@pytest.mark.points(n)`` sets a test's weight (default 1). A test marked
``performance`` times the submission and adds rows to the report's speed
section through the ``performance`` fixture.
Each test's outcome becomes a ``TestResult``; nothing is read from pytest's
terminal output.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import inspect
import random
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.display import json_safe
from grader.errors import LearnerRaised, SubmissionFailure, UnsupportedValue
from grader.exercise import Exercise
from grader.result import VISIBILITIES, Measurement, Status, TestResult
from grader.sandbox.client import SubmissionProxy, Worker


@dataclass
class _Outcome:
    error: BaseException | None = None
    skip_reason: str | None = None
    example: dict[str, Any] | None = None  # the latest hypothesis example, copied before the call
    duration_s: float = 0.0


_OUTCOME = pytest.StashKey[_Outcome]()


class GradingPlugin:
    def __init__(
        self,
        exercise: Exercise,
        worker: Worker,
        seed: int,
        on_test_start: Callable[[str, int, int], None] | None = None,
    ):
        self.exercise = exercise
        self.worker = worker
        self.seed = seed
        self.on_test_start = on_test_start  # (test name, its 1-based position, how many tests)
        self.tests: list[TestResult] = []
        self.collection_errors: list[str] = []
        self.measurements: list[Measurement] = []
        self.performance_skipped = ""
        self._collected = self._started = 0

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): the points the test is worth (default 1)")
        config.addinivalue_line("markers", "hidden: counts in the score; learners see only its name and status")
        config.addinivalue_line(
            "markers", "visibility(level): visible, hidden, after_due_date or after_published (Gradescope's levels)"
        )
        config.addinivalue_line(
            "markers", "performance: times the submission; its `performance` rows become the report's speed section"
        )

    @pytest.fixture(scope="session")
    def submission(self) -> SubmissionProxy:
        """The learner's module, running in the worker."""
        return SubmissionProxy(self.worker)

    @pytest.fixture(scope="session")
    def performance(self) -> Callable[..., None]:
        """``performance(case=..., unit=..., submission=..., baseline=..., baseline_name=...)``
        adds a row (``Measurement``) to the report's performance section."""
        return lambda **row: self.measurements.append(Measurement(**row))

    @pytest.fixture(scope="session")
    def reference(self) -> Any:
        """The reference solution, imported here: for tests that have no independent oracle."""
        return load_reference(self.exercise.solution_file)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._collected = len(session.items)

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        self._started += 1
        if self.on_test_start is not None:
            self.on_test_start(nodeid.rpartition("::")[2], self._started, self._collected)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(str(report.longrepr))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        item.stash[_OUTCOME] = _Outcome()
        # Tests that draw their own random numbers draw the same ones every run.
        random.seed(self.seed)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        handle = getattr(getattr(item, "obj", None), "hypothesis", None)
        if handle is None:
            return (yield)
        inner_test = handle.inner_test
        handle.inner_test = _recording_examples(inner_test, item.stash[_OUTCOME], set(item.fixturenames))
        try:
            return (yield)
        finally:
            handle.inner_test = inner_test

    @pytest.hookimpl(wrapper=True, trylast=True)  # innermost: runs before hypothesis's own wrapper
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        # Hypothesis would turn failing examples into source patches for the
        # terminal, importing libcst (most of a second) to write files nobody reads.
        item.__dict__.pop("_hypothesis_failing_examples", None)
        outcome = item.stash.setdefault(_OUTCOME, _Outcome())
        outcome.duration_s += call.duration
        if call.excinfo is not None and outcome.error is None and outcome.skip_reason is None:
            if report.skipped:
                outcome.skip_reason = str(getattr(call.excinfo.value, "msg", call.excinfo.value))
            elif call.when != "teardown":
                outcome.error = call.excinfo.value
        if call.when == "teardown":
            self.tests.append(self._result(item, outcome))
        return report

    def _result(self, item: pytest.Item, outcome: _Outcome) -> TestResult:
        marker = item.get_closest_marker("points")
        points = marker.args[0] if marker and marker.args else 1
        result = TestResult(
            name=item.name,
            max_score=points,
            score=0,
            status=Status.PASSED,
            output=self.worker.take_output(),
            duration_s=round(outcome.duration_s, 4),
            visibility=_visibility(item),
            test_code=_source(item),
        )
        if outcome.skip_reason is not None:
            result.status, result.message = Status.SKIPPED, outcome.skip_reason
            if item.get_closest_marker("performance"):
                self.performance_skipped = outcome.skip_reason
        elif outcome.error is None:
            result.score = points
        else:
            describe_failure(outcome.error, result)
            # Inputs that never reached the learner's code (it did not load, or the
            # function is the stub's) explain nothing.
            if (
                outcome.example is not None
                and result.status is not Status.ERROR
                and not _is_not_implemented(outcome.error)
            ):
                result.counterexample = json_safe(outcome.example)
                result.counterexample_shrunk = _shrinks(item)
        return result


def _shrinks(item: pytest.Item) -> bool:
    """Whether hypothesis shrinks this test's failing inputs; a test may turn that
    off when each example is costly (a kernel run in Triton's interpreter)."""
    from hypothesis import Phase

    settings = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_settings", None)
    return settings is None or Phase.shrink in settings.phases


def _visibility(item: pytest.Item) -> str:
    marker = item.get_closest_marker("visibility")
    if marker is not None and marker.args:
        if marker.args[0] not in VISIBILITIES:
            raise ValueError(f"{item.nodeid}: visibility must be one of {', '.join(VISIBILITIES)}")
        return marker.args[0]
    return "hidden" if item.get_closest_marker("hidden") else "visible"


def _source(item: pytest.Item) -> str:
    function = getattr(item, "function", None)
    try:
        return textwrap.dedent(inspect.getsource(function)) if function is not None else ""
    except (OSError, TypeError):
        return ""


def _recording_examples(inner_test, outcome: _Outcome, fixture_names: set[str]):
    """Wrap hypothesis's inner test so the example it runs last (the shrunk one) is kept as data."""

    @functools.wraps(inner_test)
    def recording(*args, **kwargs):
        example = {name: value for name, value in kwargs.items() if name not in fixture_names}
        try:
            outcome.example = copy.deepcopy(example)  # the call may change the arguments in place
        except Exception:  # noqa: BLE001 - an uncopyable value is shown as it ends up
            outcome.example = example
        return inner_test(*args, **kwargs)

    return recording


def _is_not_implemented(error: BaseException) -> bool:
    learner = getattr(error, "learner", None)
    return learner is not None and learner.type_name == "NotImplementedError"


def describe_failure(error: BaseException, result: TestResult) -> None:
    """Fill ``result``'s status, message and details from the exception that failed the test."""
    result.status = Status.FAILED
    if isinstance(error, SubmissionFailure):
        if error.kind == "load":
            result.status = Status.ERROR
        result.message, result.traceback, result.location = error.message, error.learner_traceback, error.location
        return
    learner = getattr(error, "learner", None)
    if learner is not None:
        if learner.type_name == "NotImplementedError":
            # The stub's own line and input teach nothing: the message is the whole story.
            result.message = f"`{learner.function}` is not implemented yet: it raises NotImplementedError."
            return
        detail = f": {learner.message}" if learner.message else ""
        result.message = f"`{learner.function}` raised {learner.type_name}{detail}"
        result.traceback, result.location = learner.traceback, learner.location
        return
    if isinstance(error, AssertionError):
        text = str(error)
        # Keep the test's own message; pytest's "assert a == b" introspection only when there is none.
        head, separator, _ = text.partition("\nassert ")
        result.message = (head if separator and head else text) or "assertion failed"
        result.diagnostics = getattr(error, "diagnostics", None)
    elif type(error).__name__ == "Failed":  # pytest.fail
        result.message = str(getattr(error, "msg", error))
    elif isinstance(error, UnsupportedValue | LearnerRaised):  # the grader's own wording
        result.message = str(error)
    else:
        result.message = f"{type(error).__name__}: {error}"


@functools.cache
def load_reference(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"no reference solution at {path}")
    name = f"grader_reference_{path.parent.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
