"""An automated grader for interview-style exercises.

What exercise tests import from here: ``assert_close`` (tolerant numeric
comparison with diagnostics). Fixtures (``submission``, ``reference``) and the
``points`` marker come from the grading plugin (``grader.plugin``).
"""

from grader.numeric import assert_close

__all__ = ["assert_close"]
