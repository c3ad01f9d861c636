"""The grader's exceptions.

Two families, because they travel different roads:

* ``GraderError`` and its subclasses mean the grader could not grade at all
  (a bad path, a broken exercise). The CLI prints the message and exits 2.
* ``SubmissionFailure`` means the learner's code did not produce a value: it
  could not be loaded, timed out, exited, crashed or ran out of memory. It
  derives from ``BaseException`` on purpose: hypothesis treats ``Exception``
  as "shrink this input", and shrinking by re-running a call that hangs or
  kills the worker would cost a time limit or a restart per attempt. The
  failing call's arguments are reported instead.

Exceptions the learner's code raises arrive in tests as the same builtin type
(see ``grader.sandbox.client``); ``LearnerRaised`` covers the other types.
"""

from __future__ import annotations


class GraderError(Exception):
    """The grader cannot grade: the message says what to do instead."""


class ExerciseNotFound(GraderError):
    pass


class InvalidExercise(GraderError):
    pass


class SubmissionNotFound(GraderError):
    pass


class SubmissionFailure(BaseException):
    """The learner's code did not return: ``kind`` says why.

    kinds: ``load`` (could not be loaded), ``timeout``, ``exit``, ``signal``,
    ``memory``, ``protocol`` (the worker broke its channel).
    """

    def __init__(self, kind: str, message: str, *, traceback: str = "", location: dict | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.learner_traceback = traceback
        self.location = location

    def __str__(self) -> str:
        return self.message


class LearnerRaised(Exception):
    """The learner's code raised an exception type that is not a builtin."""


class UnsupportedValue(Exception):
    """A value that is not plain data tried to cross the trust boundary.

    Not a TypeError: a test expecting the learner's code to raise TypeError must
    not count an unsendable return value as that."""
