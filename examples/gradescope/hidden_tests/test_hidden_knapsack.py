"""An instructor's extra tests for knapsack, kept outside the exercise folder:
graded with ``--extra-tests examples/gradescope/hidden_tests``."""

import pytest


@pytest.mark.hidden
@pytest.mark.points(3)
def test_hidden_each_item_once(submission):
    got = submission.max_value([3, 4], [5, 1], 7)
    assert got == 6, f"max_value([3, 4], [5, 1], 7) returned {got}, expected 6 (both items, once each)"


@pytest.mark.visibility("after_due_date")
def test_after_due_date_zero_values(submission):
    got = submission.best_items([1, 2], [0, 0], 3)
    assert sum([0, 0][i] for i in got) == 0, f"best_items returned {got}"
