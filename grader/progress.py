"""A learner's progress across exercises: one small JSON file in the working copy.

``.grade/progress.json`` (git-ignored) beside ``exercises/`` records, per
exercise, the best and last score, when it was last graded, and how many
hints were revealed. ``grade`` updates it when it grades a learner's own
stub. A missing or unreadable file starts afresh with a note; it is never fatal.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.exercise import Exercise
from grader.result import GradingResult, Status


@dataclass
class ExerciseProgress:
    best_score: float = 0
    max_score: float = 0
    last_score: float = 0
    last_graded: str = ""  # ISO 8601, UTC
    passed: bool = False
    runs: int = 0
    hints_revealed: int = 0


@dataclass
class Progress:
    path: Path
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)
    note: str = ""  # set when the file was missing parts or unreadable and was rebuilt

    @classmethod
    def load(cls, path: Path) -> Progress:
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            exercises = {name: ExerciseProgress(**entry) for name, entry in data["exercises"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            return cls(path, note=f"{path} was unreadable ({type(error).__name__}) and starts afresh")
        return cls(path, exercises)

    def save(self) -> None:
        """Write atomically, so an interrupted run never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "exercises": {name: dataclasses.asdict(entry) for name, entry in self.exercises.items()}}
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, sort_keys=True)
        os.replace(temporary, self.path)

    def entry(self, exercise: str) -> ExerciseProgress:
        return self.exercises.setdefault(exercise, ExerciseProgress())

    def record(self, result: GradingResult) -> None:
        entry = self.entry(result.exercise)
        entry.runs += 1
        entry.last_score, entry.max_score = result.score, result.max_score
        entry.best_score = max(entry.best_score, result.score)
        entry.passed = entry.passed or result.status is Status.PASSED
        entry.last_graded = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def progress_file(exercise: Exercise) -> Path:
    """``.grade/progress.json`` at the root of the working copy that holds ``exercises/``."""
    return exercise.path.parent.parent / ".grade" / "progress.json"


def record_result(exercise: Exercise, result: GradingResult) -> str:
    """Add ``result`` to the learner's progress; a note to show when the file had to be rebuilt."""
    progress = Progress.load(progress_file(exercise))
    progress.record(result)
    try:
        progress.save()
    except OSError as error:  # a read-only checkout: grading still counts, progress is not kept
        return f"progress not saved: {error}"
    return progress.note
