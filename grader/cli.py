"""The ``grade`` command.

    grade exercises/knapsack                  grade the stub you edited
    grade exercises/knapsack --submission F   grade another file, notebook or folder
    grade list                                every exercise
    grade show knapsack                       an exercise's statement

Exit status: 0 full marks, 1 graded without full marks (a submission that does
not load included), 2 the grader could not grade (bad path, bad option,
internal error).
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from pathlib import Path

import click

from grader.errors import GraderError

EXIT_FULL_MARKS, EXIT_NOT_FULL_MARKS, EXIT_CANNOT_GRADE = 0, 1, 2
# The names of grader.formats.FORMATS, here so that `grade --help` imports no format.
FORMAT_NAMES = ("terminal", "json", "html", "gradescope", "exercism", "junit", "github")


class _GradeGroup(click.Group):
    """``grade PATH`` grades; ``grade list`` and ``grade show`` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first_word = next((arg for arg in args if not arg.startswith("-")), None)
        if first_word is not None and first_word not in self.commands and args[:1] not in (["--help"], ["-h"]):
            args = ["exercise", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GraderError as error:
            click.echo(f"grade: {error}", err=True)
            ctx.exit(EXIT_CANNOT_GRADE)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception:  # noqa: BLE001 - a bug in the grader is still exit status 2, with the trace
            click.echo("grade: internal error (a bug in the grader, not in your code):", err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(EXIT_CANNOT_GRADE)


class RunningTest:
    """One line on a terminal's stderr naming the test that is running, rewritten as
    each starts and erased at the end: a GPU exercise can grade for minutes. Off
    when stderr is not a terminal (CI logs, pipes), so no report ever holds it.
    (Written here rather than with rich's Status: one line rewritten per test
    needs no redraw thread beside pytest.)"""

    def __init__(self):
        self.enabled = sys.stderr.isatty()
        self._shown = False

    def show(self, name: str, position: int, count: int) -> None:
        width = shutil.get_terminal_size().columns
        text = f"  running test {position}/{count}: {name}"
        click.echo("\r\x1b[2K" + text[: max(width - 1, 10)], err=True, nl=False)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\x1b[2K", err=True, nl=False)
            self._shown = False


def grade_showing_progress(exercise, submission_path, **options):
    """``grading.grade``, with the running test shown on a terminal."""
    from grader.grading import grade

    ticker = RunningTest()
    try:
        return grade(exercise, submission_path, on_test_start=ticker.show if ticker.enabled else None, **options)
    finally:
        ticker.clear()


# Options every grading command takes, defined once.
_SEED = click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the generated test inputs; the same seed gives the same result.",
)
_TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each call into the submission may take (default: the exercise's limit).",
)
_MAX_EXAMPLES = click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Generated inputs per property test.",
)
_EXTRA_TESTS = click.option(
    "--extra-tests", "extra_tests", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of test_*.py files (e.g. an instructor's hidden tests) to run with the exercise's.",
)  # fmt: skip


def _colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: colour only on a terminal


@click.group(cls=_GradeGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Grade interview-style exercises against property-based tests.

    Run ``grade exercises/NAME`` after editing exercises/NAME/NAME.py.
    """
    # The tests' own numerics (torch oracles) in one thread, before anything imports
    # torch: reproducible sums, and batch processes do not fight over the cores.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def _report_spec(_ctx, _param, values: tuple[str, ...]) -> list[tuple[str, Path]]:
    from grader.formats import FORMATS

    specs = []
    for value in values:
        name, _, path = value.partition(":")
        if name not in FORMATS or not path:
            raise click.BadParameter(f"{value!r} is not FORMAT:PATH with FORMAT one of {', '.join(FORMATS)}")
        specs.append((name, Path(path)))
    return specs


@main.command("exercise", hidden=True)
@click.argument("path")
@click.option(
    "--submission",
    "submission_path",
    type=click.Path(path_type=Path),
    help="A .py file, a Jupyter notebook, or a folder holding one. Default: the exercise's stub.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMAT_NAMES)),
    default="terminal",
    show_default=True,
    help="How to report the result on standard output (or in --output).",
)
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the --format report to this file instead of standard output.",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    callback=_report_spec,
    metavar="FORMAT:PATH",
    help="Also write the report in FORMAT to PATH (repeatable), e.g. --report junit:junit.xml.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a self-contained HTML report to this file.",
)
@click.option("--open", "open_html", is_flag=True, help="Open the HTML report in the default browser.")
@_SEED
@_TIMEOUT
@_MAX_EXAMPLES
@_EXTRA_TESTS
@click.option("--show-hidden", is_flag=True, help="Show hidden tests' details (for instructors).")
@click.option(
    "--record/--no-record",
    default=None,
    help="Keep this run in your progress (default: only runs on the exercise's own stub file).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every failure's details and all captured output.")
def grade_exercise(
    path,
    submission_path,
    output_format,
    output_file,
    reports,
    html_file,
    open_html,
    seed,
    timeout,
    max_examples,
    extra_tests,
    show_hidden,
    record,
    verbose,
):
    """Grade the exercise at PATH (e.g. exercises/knapsack)."""
    from grader.exercise import find_exercise
    from grader.formats import render
    from grader.result import Status

    exercise = find_exercise(path)
    if submission_path is not None and not submission_path.exists():
        raise click.BadParameter(f"{submission_path} does not exist", param_hint="--submission")
    if open_html and html_file is None:
        raise click.UsageError("--open needs --html FILE")
    result = grade_showing_progress(
        exercise, submission_path, seed=seed, time_limit_s=timeout, max_examples=max_examples, extra_tests=extra_tests
    )
    if record or (record is None and submission_path is None):
        _record_progress(exercise, result)
    options = {"verbose": verbose} if output_format == "terminal" else {}
    text = render(output_format, result, show_hidden=show_hidden, **options)
    if output_file is not None:
        output_file.write_text(click.unstyle(text), encoding="utf-8")
    else:
        click.echo(text, nl=False, color=_colour())
    if html_file is not None:
        reports = [*reports, ("html", html_file)]
    for name, report_path in reports:
        report_path.write_text(click.unstyle(render(name, result, show_hidden=show_hidden)), encoding="utf-8")
    if "github" in {output_format, *(name for name, _ in reports)}:
        _append_github_step_summary(result, show_hidden)
    if open_html:
        click.launch(html_file.resolve().as_uri())
    click.get_current_context().exit(EXIT_FULL_MARKS if result.status is Status.PASSED else EXIT_NOT_FULL_MARKS)


def _record_progress(exercise, result) -> None:
    from grader.progress import record_result

    note = record_result(exercise, result)
    if note:
        click.echo(f"grade: {note}", err=True)


def _append_github_step_summary(result, show_hidden: bool) -> None:
    """On GitHub Actions, the job summary page gets the score table too."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary_file:
        return
    from grader.formats import github
    from grader.result import learner_view

    with open(summary_file, "a", encoding="utf-8") as summary:
        summary.write(github.step_summary(result if show_hidden else learner_view(result)))


def _shard_spec(_ctx, _param, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit()) or not 1 <= int(index) <= int(count):
        raise click.BadParameter(f"{value!r} is not i/n with 1 <= i <= n")
    return int(index), int(count)


@main.command("batch")
@click.argument("submissions_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--exercise", "exercise_path", required=True, help="The exercise folder, e.g. exercises/knapsack.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Submissions graded at once.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gradebook"),
    show_default=True,
    help="Where results.jsonl, gradebook.csv, gradebook.html and reports/ go.",
)
@click.option("--resume", is_flag=True, help="Keep the results already in --output-dir; grade only the rest.")
@click.option(
    "--shard",
    callback=_shard_spec,
    metavar="i/n",
    help="Grade only shard i of n (a deterministic slice, for a CI matrix); join with `grade merge`.",
)
@_SEED
@_TIMEOUT
@click.option(
    "--submission-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds all calls into one submission may take together.",
)
@_MAX_EXAMPLES
@_EXTRA_TESTS
def batch(
    submissions_dir,
    exercise_path,
    jobs,
    output_dir,
    resume,
    shard,
    seed,
    timeout,
    submission_timeout,
    max_examples,
    extra_tests,
):
    """Grade every submission in SUBMISSIONS_DIR (a .py, a notebook, or a folder per student) into a gradebook."""
    from grader import batch as batching
    from grader.exercise import find_exercise
    from grader.result import Status

    exercise = find_exercise(exercise_path)
    entries = batching.discover(submissions_dir)
    if shard is not None:
        entries = batching.shard(entries, *shard)
    if not entries:
        raise GraderError(f"no submissions in {submissions_dir} (expected .py files, notebooks or folders)")
    already = batching.read_results(output_dir / batching.RESULTS_FILE) if resume else {}
    todo = sum(entry.student not in already for entry in entries)
    options = batching.GradeOptions(seed, timeout, max_examples, extra_tests, submission_timeout)
    if jobs > 1 and todo > 1 and exercise.times_submissions:
        click.echo(
            f"note: {exercise.name} measures speed, and {jobs} submissions grade at once here, so each one's "
            "figures are taken while others run; grade with -j 1 to compare speeds between students",
            err=True,
        )
    failing = 0
    with click.progressbar(
        length=todo, label=f"Grading {todo} submissions", show_eta=True, show_pos=True, file=sys.stderr
    ) as bar:

        def progress(student: str, result) -> None:
            nonlocal failing
            failing += result.status is not Status.PASSED
            bar.label = f"Graded (not full marks: {failing})"
            bar.update(1)

        results = batching.grade_batch(
            exercise, entries, output_dir, jobs=jobs, options=options, resume=resume, on_result=progress
        )
    full = sum(result.status is Status.PASSED for result in results.values())
    click.echo(f"{len(results)} graded, {full} with full marks. Gradebook: {output_dir / 'gradebook.html'}")


@main.command("merge")
@click.argument("results_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gradebook"),
    show_default=True,
    help="Where the merged gradebook goes.",
)
def merge(results_files, output_dir):
    """Join the results.jsonl files of several shards into one gradebook."""
    from grader import batch as batching

    merged = batching.merge(list(results_files), output_dir)
    click.echo(f"{len(merged)} students merged. Gradebook: {output_dir / 'gradebook.html'}")


def _every_exercise() -> list:
    """Every exercise in ./exercises; a broken one is named on stderr and left out."""
    from grader.exercise import all_exercises, default_exercises_dir

    problems: list[str] = []
    exercises = all_exercises(problems=problems)
    for problem in problems:
        click.echo(f"grade: skipped {problem}", err=True)
    if not exercises:
        raise GraderError(f"no exercises found in {default_exercises_dir()}: run grade inside the repository")
    return exercises


@main.command("list")
def list_exercises() -> None:
    """List every exercise: name, title, difficulty, tags, and whether it needs a GPU."""
    exercises = _every_exercise()
    name_width = max(len(exercise.name) for exercise in exercises)
    title_width = max(len(exercise.title) for exercise in exercises)
    for exercise in exercises:
        gpu = "  needs GPU" if exercise.gpu else ""
        tags = ", ".join(exercise.tags)
        click.echo(
            f"{exercise.name:<{name_width}}  {exercise.title:<{title_width}}  {exercise.difficulty:<6}  {tags}{gpu}"
        )


@main.command("show")
@click.argument("name")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the statement as an HTML page to this file instead.",
)
@click.option("--open", "open_html", is_flag=True, help="Open the HTML page in the default browser.")
def show(name: str, html_file: Path | None, open_html: bool) -> None:
    """Show the statement of exercise NAME: headings, code blocks, the hint."""
    from grader import statement
    from grader.exercise import find_exercise

    exercise = find_exercise(name)
    if html_file is None:
        if open_html:
            raise click.UsageError("--open needs --html FILE")
        click.echo(statement.terminal_text(exercise, colour=_colour()), nl=False)
        return
    html_file.write_text(statement.html_page(exercise), encoding="utf-8")
    click.echo(f"Wrote {html_file}")
    if open_html:
        click.launch(html_file.resolve().as_uri())


@main.command("progress")
def progress() -> None:
    """Your progress: every exercise with its best score, when you last graded it, and totals per tag."""
    from grader.progress import Progress, progress_file

    exercises = _every_exercise()
    state = Progress.load(progress_file(exercises[0]))
    if state.note:
        click.echo(f"grade: {state.note}", err=True)
    rows, tag_totals = [], {}
    for exercise in exercises:
        entry = state.exercises.get(exercise.name)
        entry = entry if entry and entry.runs else None  # revealing hints alone is not grading
        best = f"{entry.best_score:g}/{entry.max_score:g}" if entry else "-"
        when = entry.last_graded.replace("T", " ").removesuffix("+00:00") + " UTC" if entry else "never"
        done = "passed" if entry and entry.passed else ("tried" if entry else "")
        rows.append((exercise.name, exercise.difficulty, ", ".join(exercise.tags), best, when, done))
        for tag in exercise.tags:
            passed, total = tag_totals.get(tag, (0, 0))
            tag_totals[tag] = (passed + bool(entry and entry.passed), total + 1)
    header = ("exercise", "difficulty", "tags", "best", "last graded", "")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(f"{cell:<{width}}" for cell, width in zip(row, widths)).rstrip())
    passed = sum(1 for entry in state.exercises.values() if entry.passed)
    click.echo(f"\nPassed {passed} of {len(exercises)} exercises.")
    for tag, (done, total) in sorted(tag_totals.items()):
        click.echo(f"  {tag}: {done}/{total}")


@main.command("hint")
@click.argument("name")
def hint(name: str) -> None:
    """Reveal the next hint of exercise NAME (the ones already revealed are shown again)."""
    from grader.exercise import find_exercise
    from grader.progress import Progress, progress_file

    exercise = find_exercise(name)
    if not exercise.hints:
        raise GraderError(f"{exercise.name} has no hints")
    state = Progress.load(progress_file(exercise))
    entry = state.entry(exercise.name)
    entry.hints_revealed = min(entry.hints_revealed + 1, len(exercise.hints))
    state.save()
    for number, text in enumerate(exercise.hints[: entry.hints_revealed], start=1):
        click.echo(f"Hint {number}/{len(exercise.hints)}: {text}\n")
    if entry.hints_revealed == len(exercise.hints):
        click.echo("That was the last hint.")
    else:
        click.echo(f"Run `grade hint {exercise.name}` again for the next one.")


@main.command("notebook")
@click.argument("name")
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the notebook (default: NAME.ipynb here).",
)
def notebook(name: str, output_file: Path | None) -> None:
    """Write exercise NAME as a Jupyter notebook: statement, stub, and how to grade it."""
    import nbformat

    from grader.exercise import find_exercise
    from grader.notebook import exercise_notebook

    exercise = find_exercise(name)
    output_file = output_file or Path(f"{exercise.name}.ipynb")
    if output_file.exists():
        raise GraderError(f"{output_file} exists: pass --output to write somewhere else")
    nbformat.write(exercise_notebook(exercise, output_file), output_file)
    click.echo(f"Wrote {output_file}. Grade it with: grade {exercise.path.name} --submission {output_file}")


@main.command("reset")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Replace a changed file (a timestamped backup is kept beside it).")
def reset(name: str, yes: bool) -> None:
    """Restore the stub of exercise NAME, keeping your current file as a backup."""
    import datetime

    from grader.exercise import find_exercise
    from grader.stubs import pristine_stub

    exercise = find_exercise(name)
    stub = pristine_stub(exercise)
    current = exercise.stub_file.read_text(encoding="utf-8") if exercise.stub_file.exists() else ""
    if current == stub:
        click.echo(f"{exercise.stub_file} is already the untouched stub.")
        return
    if not yes:
        click.echo(
            f"{exercise.stub_file} has your changes. Run `grade reset {exercise.name} --yes` to keep them "
            "in a timestamped backup beside it and restore the stub.",
            err=True,
        )
        click.get_current_context().exit(EXIT_NOT_FULL_MARKS)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = exercise.stub_file.with_name(f"{exercise.stub_file.name}.{stamp}.bak")
    if current:
        backup.write_text(current, encoding="utf-8")
    exercise.stub_file.write_text(stub, encoding="utf-8")
    click.echo(f"Restored the stub of {exercise.name}" + (f"; your file is in {backup}" if current else ""))


@main.command("watch")
@click.argument("path")
@click.option(
    "--submission",
    "submission_path",
    type=click.Path(exists=True, path_type=Path),
    help="Watch and grade this file instead of the exercise's stub.",
)
@_SEED
@_MAX_EXAMPLES
def watch(path: str, submission_path: Path | None, seed: int, max_examples: int) -> None:
    """Grade the exercise at PATH again each time you save; Ctrl-C stops."""
    import threading

    from grader import watch as watching
    from grader.exercise import find_exercise
    from grader.formats import render

    exercise = find_exercise(path)
    watched = submission_path or exercise.stub_file

    def grade_once():
        result = grade_showing_progress(exercise, submission_path, seed=seed, max_examples=max_examples)
        if submission_path is None:
            _record_progress(exercise, result)
        return result

    def show_result(result, changes: watching.Changes) -> None:
        click.clear()
        for label, names, colour in (
            ("Newly passing", changes.newly_passing, "green"),
            ("Newly failing", changes.newly_failing, "red"),
        ):
            if names:
                click.secho(f"{label}: {', '.join(names)}", fg=colour, bold=True, color=_colour())
        click.echo(render("terminal", result), nl=False, color=_colour())
        click.echo(f"\nWatching {watched} — save to grade again, Ctrl-C to stop.")

    stop = threading.Event()
    try:
        watching.watch(watched, grade_once, show_result, stop)
    except KeyboardInterrupt:
        stop.set()
        click.echo("\nStopped watching.")
