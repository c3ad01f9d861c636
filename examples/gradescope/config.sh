# Which exercise this assignment grades (a folder name under exercises/).
EXERCISE=knapsack
# Optional: a folder of instructor tests inside the zip, run and scored with
# the exercise's own; mark them @pytest.mark.hidden or
# @pytest.mark.visibility("after_due_date") to keep their details from students.
HIDDEN_TESTS=hidden_tests
