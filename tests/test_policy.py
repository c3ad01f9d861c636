"""The worker's audit hook with a toolchain: the programs a trusted library may
start (Triton's ptxas and C compiler on a GPU) and nothing else.

Each case runs in a fresh interpreter, since an audit hook cannot be removed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ALLOWED = shutil.which("true")
OTHER = shutil.which("ls")


def run_confined(tmp_path: Path, learner_code: str) -> str:
    """Install the hook with a toolchain of ``true`` for the package ``tools``,
    then run ``learner_code``; what it printed."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "__init__.py").write_text(
        "import subprocess\n\ndef run(program):\n    return subprocess.run([program]).returncode\n"
    )
    script = f"""
        import os, subprocess, sys
        from pathlib import Path
        sys.path[:0] = [{str(REPO)!r}, {str(tmp_path)!r}]
        import tools
        from grader.sandbox.policy import Toolchain, install_audit_hook
        toolchain = Toolchain(library={str(tmp_path / "tools")!r}, programs=frozenset([os.path.realpath({ALLOWED!r})]))
        install_audit_hook(Path({str(tmp_path)!r}), [], "learner.py", toolchain)
        def attempt(what, action):
            try:
                print(what, "ran", action())
            except PermissionError:
                print(what, "refused")
    """
    process = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script) + textwrap.dedent(learner_code)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    return process.stdout


@pytest.mark.skipif(ALLOWED is None or OTHER is None, reason="needs the programs true and ls")
def test_only_the_toolchain_library_starts_only_its_programs(tmp_path):
    printed = run_confined(
        tmp_path,
        f"""
        attempt("library, its program", lambda: tools.run({ALLOWED!r}))
        attempt("library, another program", lambda: tools.run({OTHER!r}))
        attempt("learner, the library's program", lambda: subprocess.run([{ALLOWED!r}]).returncode)
        attempt("learner, posix_spawn", lambda: os.waitpid(os.posix_spawn({ALLOWED!r}, ["true"], {{}}), 0))
        attempt("library again", lambda: tools.run({ALLOWED!r}))
        """,
    )
    assert printed.splitlines() == [
        "library, its program ran 0",
        "library, another program refused",
        "learner, the library's program refused",
        "learner, posix_spawn refused",
        "library again ran 0",
    ]


def test_without_a_toolchain_no_process_starts(tmp_path):
    (tmp_path / "tools").mkdir()
    script = f"""
        import subprocess, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        from grader.sandbox.policy import install_audit_hook
        install_audit_hook(Path({str(tmp_path)!r}), [], "learner.py")
        try:
            subprocess.run([{sys.executable!r}, "-c", "pass"])
        except PermissionError as error:
            print(error)
    """
    process = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True)
    assert "does not allow starting a process" in process.stdout, process.stdout + process.stderr
