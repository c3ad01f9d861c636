"""Renderings of a ``GradingResult``: each module is one output format, a function from the result to text.

``render(name, result)`` picks the module. Learner-facing formats see the
result through ``learner_view`` (hidden tests' details removed) unless the
caller is an instructor who asks for everything.
"""

from __future__ import annotations

import importlib

from grader.result import GradingResult, learner_view

# name -> module under grader.formats; imported only when used
FORMATS = {
    "terminal": "terminal",
    "json": "json_format",
    "html": "html",
    "gradescope": "gradescope",
    "exercism": "exercism",
    "junit": "junit",
    "github": "github",
}


def module(name: str):
    return importlib.import_module(f"grader.formats.{FORMATS[name]}")


def render(name: str, result: GradingResult, *, show_hidden: bool = False, **options) -> str:
    """``result`` as format ``name``; ``options`` go to that format (e.g. ``verbose`` for the terminal)."""
    renderer = module(name)
    if getattr(renderer, "LEARNER_FACING", True) and not show_hidden:
        result = learner_view(result)
    return renderer.render(result, **options)
