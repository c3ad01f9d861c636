"""The result as one self-contained HTML page (``grade --html FILE``).

The page opens from disk and fetches nothing: its styles are inline, it has no
script, and its Content-Security-Policy forbids loading anything. Failures come
first; the long parts of a test (smallest failing input, numeric details with a
map of where the error lies, traceback, output) sit in collapsed ``<details>``.

Everything here turns the result into plain values for ``templates/report.html.j2``;
the template only lays them out, autoescaped, so learner text is never markup.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

from grader.formats.text import counterexample_title, performance_table
from grader.result import GradingResult, Status, TestResult

LEARNER_FACING = True

# The page's sections, in order: what needs work first.
_SECTIONS = (("Failed", (Status.FAILED, Status.ERROR)), ("Skipped", (Status.SKIPPED,)), ("Passed", (Status.PASSED,)))
_MARKS = {Status.PASSED: "✓", Status.FAILED: "✗", Status.ERROR: "!", Status.SKIPPED: "–"}
OUTPUT_LINES_SHOWN = 30  # longer output shows its last lines, the rest one click away
VALUE_CHARS_SHOWN = 4000
HEATMAP_CELL_PX = 20
# Colours of the error map, from "just outside its tolerance" to "the worst cell of this map".
_HEAT_STOPS = ("#fde68a", "#f59e0b", "#dc2626", "#7f1d1d")
HEAT_WITHIN = "#e5ece5"  # within tolerance
HEAT_NOT_FINITE = "#6d28d9"  # NaN or infinity where a finite value was expected


@functools.cache
def _template():
    from grader.templates import environment

    return environment().get_template("report.html.j2")


def render(result: GradingResult) -> str:
    sections = [
        (heading, [_test_view(test, result) for test in result.tests if test.status in statuses])
        for heading, statuses in _SECTIONS
    ]
    return _template().render(
        result=result,
        score=points_fraction(result.score, result.max_score),
        score_percent=percent(result.score, result.max_score),
        counts=_counts(result.tests),
        duration=duration(result.duration_s),
        sections=[(heading, views) for heading, views in sections if views],
        performance=performance_table(result),
        heat_stops=_HEAT_STOPS,
        heat_within=HEAT_WITHIN,
        heat_not_finite=HEAT_NOT_FINITE,
    )


def points(value: float) -> str:
    return f"{value:g}"


def points_fraction(score: float, max_score: float) -> str:
    return f"{points(score)} / {points(max_score)}"


def percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole > 0 else 0.0


def duration(seconds: float) -> str:
    if seconds < 0.001:
        return "<1 ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def first_line(text: str) -> tuple[str, str]:
    """The first non-empty line of ``text`` and what follows it."""
    stripped = text.strip()
    head, _, rest = stripped.partition("\n")
    return head.strip(), rest.strip()


def _counts(tests: list[TestResult]) -> list[str]:
    """``["2 failed", "1 error", "3 passed"]``: how many tests ended each way, failures first."""
    statuses = [status for _, group in _SECTIONS for status in group]
    counts = [(status, sum(test.status is status for test in tests)) for status in statuses]
    return [
        f"{n} {'error' if n == 1 else 'errors'}" if status is Status.ERROR else f"{n} {status}"
        for status, n in counts
        if n
    ]


def _test_view(test: TestResult, result: GradingResult) -> dict[str, Any]:
    reason, more = first_line(test.message)
    # A submission that does not load fails every test with the message shown once above; the
    # input such a test drew was never given to the learner's code, so it is not shown either.
    not_run = result.status is Status.ERROR and bool(test.message) and test.message == result.message
    if not_run:
        reason, more = "not run: the submission did not load (see above)", ""
    shown_output, earlier_lines = _tail(test.output, OUTPUT_LINES_SHOWN)
    return {
        "test": test,
        "mark": _MARKS[test.status],
        "anchor": "test-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in test.name),
        "points": "not scored" if test.status is Status.SKIPPED else points_fraction(test.score, test.max_score),
        "duration": duration(test.duration_s),
        "reason": reason,
        "more": more,
        "location": "" if not_run else _location(test.location),
        "counterexample": [] if not_run else [_argument(n, v) for n, v in (test.counterexample or {}).items()],
        "counterexample_title": counterexample_title(test).capitalize(),
        "diagnostics": _diagnostics_rows(test.diagnostics or {}),
        "heatmap": _heatmap((test.diagnostics or {}).get("error_map")),
        "output_shown": shown_output,
        "output_earlier_lines": earlier_lines,
        "output_lines": len(test.output.splitlines()),
    }


def _location(location: dict[str, Any] | None) -> str:
    if not location or not location.get("file"):
        return ""
    line = location.get("line")
    return f"{location['file']}, line {line}" if line else str(location["file"])


def _tail(text: str, count: int) -> tuple[str, int]:
    """The last ``count`` lines of ``text`` and how many came before them."""
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= count:
        return text.rstrip("\n"), 0
    return "\n".join(lines[-count:]), len(lines) - count


# -- values of the smallest failing input -------------------------------------


def _is_tensor_summary(value: Any) -> bool:
    """A summary made by ``grader.display.tensor_summary``."""
    return isinstance(value, dict) and value.get("type") in ("tensor", "ndarray") and {"shape", "dtype"} <= value.keys()


def _argument(name: str, value: Any) -> dict[str, Any]:
    if _is_tensor_summary(value):
        values = value.get("values", [])
        numel = value.get("numel", len(values))
        return {
            "name": name,
            "text": "",
            "tensor": {
                "kind": value["type"],
                "shape": " × ".join(str(n) for n in value["shape"]) or "scalar",
                "dtype": value["dtype"],
                "device": value.get("device", ""),
                "preview": ", ".join(_scalar_text(v) for v in values) + (", …" if numel > len(values) else ""),
                "shown": f"first {len(values)} of {numel}" if numel > len(values) else f"all {numel}",
            },
        }
    return {"name": name, "text": _clipped(_value_text(value), VALUE_CHARS_SHOWN), "tensor": None}


def _value_text(value: Any) -> str:
    """A JSON-safe value as a Python-like literal; tensors inside it as one-line summaries."""
    if _is_tensor_summary(value):
        return f"{value['type']}({value['dtype']}, shape={value['shape']})"
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {_value_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "True", False: "False", None: "None"}[value]
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


# -- numeric diagnostics ------------------------------------------------------

_DIAGNOSTIC_LABELS = {
    "max_abs_error": "Largest absolute error",
    "max_rel_error": "Largest relative error",
    "relative_error_norm": "Relative error norm ‖actual − expected‖ / ‖expected‖",
}
_SHOWN_ELSEWHERE = {"mismatched", "total", "worst_index", "expected", "actual", "error_map"}


def _diagnostics_rows(diagnostics: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    if "mismatched" in diagnostics and "total" in diagnostics:
        share = percent(diagnostics["mismatched"], diagnostics["total"])
        rows.append(("Elements outside tolerance", f"{diagnostics['mismatched']} of {diagnostics['total']} ({share}%)"))
    if "expected" in diagnostics or "actual" in diagnostics:
        index = diagnostics.get("worst_index")
        where = f"at index [{', '.join(str(i) for i in index)}]" if index else "the value"
        rows.append(
            (
                "Worst element",
                f"{where}: expected {_number(diagnostics.get('expected'))}, got {_number(diagnostics.get('actual'))}",
            )
        )
    for key, value in diagnostics.items():
        if key in _SHOWN_ELSEWHERE:
            continue
        label = _DIAGNOSTIC_LABELS.get(key, key.replace("_", " ").capitalize())
        rows.append((label, _number(value)))
    return rows


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_number(item) for item in value) + "]"
    return str(value)


# -- the error map ------------------------------------------------------------


def _magnitude(cell: Any) -> float:
    """A cell of ``error_map``: how many times its tolerance it is off (0: within; 'inf': not finite)."""
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, int | float):
        return float(cell) if not math.isnan(cell) else math.inf
    return math.inf  # 'inf' or 'nan' as written by grader.numeric


def _heatmap(error_map: dict[str, Any] | None) -> dict[str, Any] | None:
    """Cells of an inline SVG, coloured by log10 of how far outside its tolerance each region is."""
    cells = (error_map or {}).get("cells") or []
    if not cells or not all(isinstance(row, list) and row for row in cells):
        return None
    grid = [[_magnitude(cell) for cell in row] for row in cells]
    n_rows, n_cols = len(grid), max(len(row) for row in grid)
    finite = [value for row in grid for value in row if 0 < value < math.inf]
    worst = max(finite, default=1.0)
    top = max(math.log10(max(worst, 1.0)), 1.0)  # the scale spans at least 1× to 10× its tolerance
    row_edges, col_edges = error_map["row_edges"], error_map["col_edges"]
    svg_cells = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            svg_cells.append(
                {
                    "x": c * HEATMAP_CELL_PX,
                    "y": r * HEATMAP_CELL_PX,
                    "fill": _heat_colour(value, top),
                    "title": f"{_span('row', row_edges, r)}, {_span('column', col_edges, c)}: {_cell_text(value)}",
                }
            )
    return {
        "cells": svg_cells,
        "cell": HEATMAP_CELL_PX,
        "width": n_cols * HEATMAP_CELL_PX,
        "height": n_rows * HEATMAP_CELL_PX,
        "rows": error_map["rows"],
        "cols": error_map["cols"],
        "n_rows": n_rows,
        "n_cols": n_cols,
        "top_label": f"{10**top:.3g}×",
        "has_not_finite": any(value == math.inf for row in grid for value in row),
    }


def _span(noun: str, edges: list[int], i: int) -> str:
    first, last = edges[i], max(edges[i], edges[i + 1] - 1)
    return f"{noun} {first}" if first == last else f"{noun}s {first}–{last}"


def _cell_text(value: float) -> str:
    if value == 0:
        return "within tolerance"
    if value == math.inf:
        return "NaN or infinite where a finite value was expected"
    return f"{value:.3g}× its tolerance"


def _heat_colour(value: float, top: float) -> str:
    if value == 0:
        return HEAT_WITHIN
    if value == math.inf:
        return HEAT_NOT_FINITE
    position = min(max(math.log10(max(value, 1.0)) / top, 0.0), 1.0) * (len(_HEAT_STOPS) - 1)
    low = min(int(position), len(_HEAT_STOPS) - 2)
    return _mix(_HEAT_STOPS[low], _HEAT_STOPS[low + 1], position - low)


def _mix(start: str, end: str, t: float) -> str:
    a = [int(start[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(end[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))
