"""The result as one JSON object (``grade --format json``).

Fields: ``exercise``, ``title``, ``submission``, ``score``, ``max_score``,
``status`` ("passed" | "failed" | "error"), ``seed``, ``command`` (reproduces
the run), ``duration_s``, ``message``, ``notes`` and ``tests``, each test with
``name``, ``score``, ``max_score``, ``status``, ``message``,
``counterexample`` (argument name -> value), ``counterexample_shrunk``,
``output``, ``traceback``,
``location``, ``diagnostics`` and ``duration_s``. See ``grader.result``.
"""

from __future__ import annotations

import json

from grader.result import GradingResult


def render(result: GradingResult) -> str:
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
