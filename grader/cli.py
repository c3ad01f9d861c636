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
import traceback
from pathlib import Path

import click

from grader.errors import GraderError

EXIT_FULL_MARKS, EXIT_NOT_FULL_MARKS, EXIT_CANNOT_GRADE = 0, 1, 2


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


def _colour() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None  # None: colour only on a terminal


@click.group(cls=_GradeGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Grade interview-style exercises against property-based tests.

    Run ``grade exercises/NAME`` after editing exercises/NAME/NAME.py.
    """


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
    type=click.Choice(["terminal", "json"]),
    default="terminal",
    show_default=True,
    help="How to report the result.",
)
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the generated test inputs; the same seed gives the same result.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each call into your code may take (default: the exercise's limit).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Generated inputs per property test.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every failure's details and all captured output.")
def grade_exercise(path, submission_path, output_format, output_file, seed, timeout, max_examples, verbose):
    """Grade the exercise at PATH (e.g. exercises/knapsack)."""
    from grader.exercise import find_exercise
    from grader.grading import grade
    from grader.result import Status

    exercise = find_exercise(path)
    if submission_path is not None and not submission_path.exists():
        raise click.BadParameter(f"{submission_path} does not exist", param_hint="--submission")
    result = grade(exercise, submission_path, seed=seed, time_limit_s=timeout, max_examples=max_examples)
    if output_format == "json":
        from grader.formats import json_format

        text = json_format.render(result)
    else:
        from grader.formats import terminal

        text = terminal.render(result, verbose=verbose)
    if output_file is not None:
        output_file.write_text(click.unstyle(text), encoding="utf-8")
    else:
        click.echo(text, nl=False, color=_colour())
    click.get_current_context().exit(EXIT_FULL_MARKS if result.status is Status.PASSED else EXIT_NOT_FULL_MARKS)


@main.command("list")
def list_exercises() -> None:
    """List every exercise: name, title, difficulty, tags, and whether it needs a GPU."""
    from grader.exercise import all_exercises

    exercises = all_exercises()
    if not exercises:
        raise GraderError("no exercises found: run this inside the repository (it looks in ./exercises)")
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
def show(name: str) -> None:
    """Print the statement of exercise NAME."""
    from grader.exercise import find_exercise

    exercise = find_exercise(name)
    click.echo(exercise.statement_file.read_text(encoding="utf-8"))
