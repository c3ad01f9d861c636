"""Exercises on disk: a folder with ``exercise.toml``, a statement, a stub and tests.

::

    exercises/knapsack/
        README.md          the statement
        exercise.toml      metadata (below)
        knapsack.py        the stub the learner edits
        test_knapsack.py   the tests (trusted code)
    solutions/knapsack/knapsack.py   the reference solution
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ExerciseNotFound, InvalidExercise

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Exercise:
    name: str
    path: Path  # the exercise folder
    title: str
    summary: str
    difficulty: str
    tags: tuple[str, ...]
    module: str  # the learner's module, also the stub's file name
    entry_points: tuple[str, ...]  # functions the submission must define
    time_limit_s: float  # per call into the learner's code
    memory_limit_mb: int  # address space the learner's code may add
    requires: tuple[str, ...]  # heavy modules preloaded in the worker (e.g. "torch")
    gpu: bool
    hints: tuple[str, ...] = ()  # progressive: each tells more than the one before

    @property
    def stub_file(self) -> Path:
        return self.path / f"{self.module}.py"

    @property
    def test_files(self) -> list[Path]:
        return sorted(self.path.glob("test_*.py"))

    @property
    def times_submissions(self) -> bool:
        """Whether a test measures the submission's speed (``@pytest.mark.performance``)."""
        return any("mark.performance" in path.read_text(encoding="utf-8") for path in self.test_files)

    @property
    def statement_file(self) -> Path:
        return self.path / "README.md"

    @property
    def solution_file(self) -> Path:
        return self.path.parent.parent / "solutions" / self.name / f"{self.module}.py"

    @classmethod
    def load(cls, folder: Path) -> Exercise:
        folder = Path(folder).resolve()
        toml_file = folder / "exercise.toml"
        if not toml_file.is_file():
            raise ExerciseNotFound(f"{folder} is not an exercise folder: it has no exercise.toml")
        try:
            meta = tomllib.loads(toml_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InvalidExercise(f"{toml_file}: {error}") from None
        try:
            exercise = cls(
                name=folder.name,
                path=folder,
                title=str(meta["title"]),
                summary=str(meta.get("summary", "")),
                difficulty=str(meta.get("difficulty", "medium")),
                tags=tuple(meta.get("tags", ())),
                module=str(meta.get("module", folder.name)),
                entry_points=tuple(meta["entry_points"]),
                time_limit_s=float(meta.get("time_limit_s", 2.0)),
                memory_limit_mb=int(meta.get("memory_limit_mb", 1024)),
                requires=tuple(meta.get("requires", ())),
                gpu=bool(meta.get("gpu", False)),
                hints=tuple(str(hint) for hint in meta.get("hints", ())),
            )
        except KeyError as missing:
            raise InvalidExercise(f"{toml_file}: missing required key {missing}") from None
        if exercise.difficulty not in DIFFICULTIES:
            raise InvalidExercise(f"{toml_file}: difficulty must be one of {', '.join(DIFFICULTIES)}")
        if not exercise.test_files:
            raise InvalidExercise(f"{folder} has no test_*.py file")
        return exercise


def default_exercises_dir() -> Path:
    """``./exercises`` when run inside a checkout, else the one beside this package."""
    here = Path.cwd() / "exercises"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "exercises"


def find_exercise(name_or_path: str, exercises_dir: Path | None = None) -> Exercise:
    """Resolve ``exercises/knapsack``, a path to its stub, or the bare name ``knapsack``."""
    candidate = Path(name_or_path)
    if candidate.is_file() and candidate.suffix in (".py", ".ipynb", ".toml", ".md"):
        candidate = candidate.parent
    if (candidate / "exercise.toml").is_file():
        return Exercise.load(candidate)
    by_name = (exercises_dir or default_exercises_dir()) / name_or_path
    if (by_name / "exercise.toml").is_file():
        return Exercise.load(by_name)
    raise ExerciseNotFound(
        f"no exercise at {name_or_path!r}: give an exercise folder (e.g. exercises/knapsack) "
        "or a name from `grade list`"
    )


def all_exercises(exercises_dir: Path | None = None, problems: list[str] | None = None) -> list[Exercise]:
    """Every exercise under ``exercises_dir``. A broken one is left out, and why is
    appended to ``problems`` when given, so one bad folder does not hide the rest."""
    root = exercises_dir or default_exercises_dir()
    exercises = []
    for toml in sorted(root.glob("*/exercise.toml")):
        try:
            exercises.append(Exercise.load(toml.parent))
        except (InvalidExercise, ExerciseNotFound) as error:
            if problems is None:
                raise
            problems.append(str(error))
    return exercises
