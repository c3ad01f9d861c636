"""An installed wheel carries what the grader reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_carries_the_templates_and_the_pytest_configuration(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "grader/templates/README.md" in names
    assert "grader/pytest-grading.ini" in names
    assert "grader/sandbox/worker.py" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "grade = grader.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
