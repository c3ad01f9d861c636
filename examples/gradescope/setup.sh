#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
# The zip holds this file, run_autograder, config.sh and a copy of the grader's
# repository as grader/ (see README.md beside this file).
set -euo pipefail
apt-get update
apt-get install -y python3 python3-pip python3-venv
python3 -m venv /autograder/venv
# Exercises that need torch: the CPU build is enough and much smaller.
if grep -q 'requires = \[.*"torch"' /autograder/source/grader/exercises/*/exercise.toml 2>/dev/null; then
    /autograder/venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
fi
/autograder/venv/bin/pip install /autograder/source/grader
