"""Grading a folder of submissions into a gradebook.

Each entry of the submissions folder (a ``.py`` file, a notebook, or a folder
per student) is graded by the same ``grade`` function as a single run, in a
pool of grading processes (``concurrent.futures``). The processes stay warm:
each imports the exercise's heavy modules once and its zygote forks a fresh
worker per submission, so a batch of a torch exercise does not pay
``import torch`` per student.

Results are appended to ``results.jsonl`` as they finish, so an interrupted
batch resumes where it stopped (``resume=True``). ``shard(entries, i, n)``
takes a deterministic slice, so a CI matrix can spread a class over many
runners; ``grade merge`` joins their ``results.jsonl`` files.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.exercise import Exercise
from grader.result import GradingResult, Status

RESULTS_FILE = "results.jsonl"
SUBMISSION_SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Entry:
    student: str
    path: Path


@dataclass(frozen=True)
class GradeOptions:
    seed: int = 0
    time_limit_s: float | None = None
    max_examples: int = 100
    extra_tests: Path | None = None
    budget_s: float | None = 300.0  # per student: a slow submission cannot hold the batch


def discover(submissions_dir: Path) -> list[Entry]:
    """Every gradable entry of ``submissions_dir``, in name order; the student is the stem."""
    entries = []
    for path in sorted(Path(submissions_dir).iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_dir() or path.suffix in SUBMISSION_SUFFIXES:
            entries.append(Entry(path.stem if path.is_file() else path.name, path))
    return entries


def shard(entries: list[Entry], index: int, count: int) -> list[Entry]:
    """Shard ``index`` (1-based) of ``count``: every count-th entry, the same on every machine."""
    if not 1 <= index <= count:
        raise GraderError(f"shard {index}/{count}: the index must be between 1 and {count}")
    return entries[index - 1 :: count]


def report_name(student: str) -> str:
    """A file name for ``student``'s report that no name can turn into a path."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".") or "student"


def read_results(path: Path) -> dict[str, GradingResult]:
    """student -> result from a results file; a line cut short by an interruption is ignored."""
    results = {}
    if not path.is_file():
        return results
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            results[record["student"]] = GradingResult.from_dict(record["result"])
        except (ValueError, KeyError, TypeError):
            continue
    return results


def grade_batch(
    exercise: Exercise,
    entries: list[Entry],
    output_dir: Path,
    *,
    jobs: int,
    options: GradeOptions,
    resume: bool = False,
    on_result: Callable[[str, GradingResult], None] = lambda student, result: None,
) -> dict[str, GradingResult]:
    """Grade ``entries`` into ``output_dir``; student -> result, earlier ones included when resuming."""
    output_dir.mkdir(parents=True, exist_ok=True)
    results_path = output_dir / RESULTS_FILE
    done = read_results(results_path) if resume else {}
    # Start from the results read back: this drops a line an interruption cut short,
    # which the next result would otherwise be glued onto.
    with open(results_path, "w", encoding="utf-8") as results_file:
        for student, result in done.items():
            results_file.write(_record(student, result))
    pending = [entry for entry in entries if entry.student not in done]
    with open(results_path, "a", encoding="utf-8") as results_file:

        def record(student: str, result: GradingResult) -> None:
            results_file.write(_record(student, result))
            results_file.flush()
            done[student] = result
            write_report(output_dir, student, result)
            on_result(student, result)

        for entry, result in _grade_in_pool(exercise, pending, jobs, options):
            record(entry.student, result)
    write_gradebook(output_dir, {entry.student: done[entry.student] for entry in entries if entry.student in done})
    return done


def _record(student: str, result: GradingResult) -> str:
    """One line of ``results.jsonl``."""
    return json.dumps({"student": student, "result": result.as_dict()}) + "\n"


def _grade_in_pool(
    exercise: Exercise, entries: list[Entry], jobs: int, options: GradeOptions
) -> Iterable[tuple[Entry, GradingResult]]:
    """Results as they finish. If a grading process dies (a grader bug or the system's
    out-of-memory killer, since learner code runs elsewhere), the pool is rebuilt and
    its unfinished entries retried once; an entry that fails twice gets an error result."""
    attempts = {entry.student: 0 for entry in entries}
    remaining = list(entries)
    context = multiprocessing.get_context("spawn")  # clean processes: nothing of this one leaks in
    while remaining:
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(remaining))),
            mp_context=context,
            initializer=_warm_up,
            initargs=(exercise.requires,),
        ) as pool:
            futures = {
                pool.submit(_grade_one, str(exercise.path), str(entry.path), options): entry for entry in remaining
            }
            remaining = []
            for future in concurrent.futures.as_completed(futures):
                entry = futures[future]
                try:
                    yield entry, GradingResult.from_dict(future.result())
                except concurrent.futures.process.BrokenProcessPool:
                    attempts[entry.student] += 1
                    if attempts[entry.student] < 2:
                        remaining.append(entry)
                    else:
                        yield entry, _error_result(exercise, entry, "the grading process crashed twice on it")
                except Exception as error:  # noqa: BLE001 - a grader bug on one student must not stop the class
                    yield entry, _error_result(exercise, entry, f"internal error of the grader: {error!r}")


def _warm_up(requires: tuple[str, ...]) -> None:
    """Import the exercise's heavy modules once per grading process, before the first student."""
    import importlib

    for name in requires:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # grading reports it where it matters


def _grade_one(exercise_path: str, submission_path: str, options: GradeOptions) -> dict:
    """One student, in a grading process of the pool: the result as plain data."""
    from grader.grading import grade

    exercise = Exercise.load(Path(exercise_path))
    try:
        result = grade(
            exercise,
            Path(submission_path),
            seed=options.seed,
            time_limit_s=options.time_limit_s,
            max_examples=options.max_examples,
            extra_tests=options.extra_tests,
            budget_s=options.budget_s,
        )
    except GraderError as error:
        result = _error_result(exercise, Entry(Path(submission_path).stem, Path(submission_path)), str(error))
    return result.as_dict()


def _error_result(exercise: Exercise, entry: Entry, message: str) -> GradingResult:
    return GradingResult(
        exercise=exercise.name,
        title=exercise.title,
        submission=str(entry.path),
        score=0,
        max_score=0,
        status=Status.ERROR,
        seed=0,
        command="",
        duration_s=0.0,
        message=f"not graded: {message}",
    )


def write_report(output_dir: Path, student: str, result: GradingResult) -> Path:
    """The student's HTML report (instructor view: hidden tests shown) under ``reports/``."""
    from grader.formats import render

    path = output_dir / "reports" / f"{report_name(student)}.html"
    path.parent.mkdir(exist_ok=True)
    path.write_text(render("html", result, show_hidden=True), encoding="utf-8")
    return path


def write_gradebook(output_dir: Path, results: dict[str, GradingResult]) -> None:
    """``gradebook.csv`` and ``gradebook.html`` (with a link per student to their report)."""
    from grader.formats import gradebook

    entries = sorted(results.items())
    links = {student: f"reports/{report_name(student)}.html" for student, _ in entries}
    (output_dir / "gradebook.csv").write_text(gradebook.render_csv(entries), encoding="utf-8")
    (output_dir / "gradebook.html").write_text(gradebook.render_html(entries, links), encoding="utf-8")


def merge(results_files: list[Path], output_dir: Path) -> dict[str, GradingResult]:
    """Join shards' ``results.jsonl`` into one gradebook (reports re-rendered from the results)."""
    merged: dict[str, GradingResult] = {}
    for path in results_files:
        for student, result in read_results(path).items():
            if student in merged:
                raise GraderError(f"{student} appears in more than one results file (was the same shard run twice?)")
            merged[student] = result
    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / RESULTS_FILE, "w", encoding="utf-8") as results_file:
        for student, result in sorted(merged.items()):
            results_file.write(_record(student, result))
            write_report(output_dir, student, result)
    write_gradebook(output_dir, merged)
    return merged
