"""Comparing numbers, arrays and tensors with tolerances that fit their dtype.

``assert_close(actual, expected)`` is what exercise tests use for floats. It
checks shape and dtype, compares elementwise with ``|a - e| <= atol + rtol·|e|``
(the tolerances of ``torch.testing.assert_close`` for the less precise of the
two dtypes unless given), fails on NaN where ``expected`` has none, and bounds
the relative error norm ``‖a − e‖ / ‖e‖`` so that an output of zeros cannot hide
under a loose absolute tolerance. A failure is a ``ToleranceError`` carrying
``diagnostics``: the worst element with its index, expected and actual value,
how many elements are off, and a coarse map of where the error lies.

Only numpy is needed; torch tensors are converted when they are given.
"""

from __future__ import annotations

import math
from typing import Any

# dtype name -> (rtol, atol), as torch.testing.assert_close
TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_PRECISION_ORDER = ["bfloat16", "float16", "float32", "complex64", "float64", "complex128"]
REL_NORM_FACTOR = 10  # default bound on the relative error norm: 10 × rtol
ERROR_MAP_SIZE = 16


class ToleranceError(AssertionError):
    def __init__(self, message: str, diagnostics: dict[str, Any]):
        super().__init__(message)
        self.diagnostics = diagnostics


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    rel_norm: float | None = None,
    check_dtype: bool = True,
    name: str = "the result",
) -> None:
    """Raise ``ToleranceError`` unless ``actual`` matches ``expected`` (see the module docstring).

    ``rtol`` and ``atol`` default to the tolerances of the less precise dtype;
    ``rel_norm`` to ``10 × rtol`` (the dtype's rtol when ``rtol`` is 0), and it is
    checked only when ``‖expected‖`` exceeds ``atol``. Integer and boolean values
    must match exactly.
    """
    actual_dtype, expected_dtype = _dtype_name(actual), _dtype_name(expected)
    if check_dtype and _is_array(actual) and _is_array(expected) and actual_dtype != expected_dtype:
        raise ToleranceError(
            f"{name} has dtype {actual_dtype}, expected {expected_dtype}",
            {"expected_dtype": expected_dtype, "actual_dtype": actual_dtype},
        )
    if _is_array(expected) and not _is_array(actual) and not isinstance(actual, (int, float, list, tuple)):
        raise ToleranceError(
            f"{name} is a {type(actual).__name__}, expected an array of shape {list(expected.shape)}", {}
        )
    got, want = _as_numpy(actual), _as_numpy(expected)
    if got.shape != want.shape:
        raise ToleranceError(
            f"{name} has shape {list(got.shape)}, expected {list(want.shape)}",
            {"expected_shape": list(want.shape), "actual_shape": list(got.shape)},
        )
    default_rtol, default_atol = _tolerances(actual_dtype, expected_dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    rel_norm = REL_NORM_FACTOR * (rtol or default_rtol) if rel_norm is None else rel_norm
    diagnostics = {**compare(got, want, rtol, atol), "rtol": rtol, "atol": atol}
    if diagnostics["mismatched"]:
        raise ToleranceError(_mismatch_message(name, diagnostics, rtol, atol), diagnostics)
    # An expected value whose whole norm is below atol (a cancelling sum, subnormals)
    # is zero as far as this comparison can tell: the elementwise check judges it.
    if diagnostics["expected_norm"] > atol and diagnostics["relative_error_norm"] > rel_norm:
        raise ToleranceError(
            f"{name} is off by a relative error norm of {diagnostics['relative_error_norm']:.3g} "
            f"(allowed {rel_norm:.3g}): small errors everywhere, each within atol={atol:g}",
            diagnostics,
        )


def compare(got: Any, want: Any, rtol: float, atol: float) -> dict[str, Any]:
    """Elementwise comparison of two numpy arrays of equal shape, as plain data."""
    import numpy as np

    got64, want64 = _as_float64(got), _as_float64(want)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got64 - want64)
        allowed = atol + rtol * np.abs(want64)
        both_nan = np.isnan(got64) & np.isnan(want64)
        same_inf = np.isinf(want64) & (got64 == want64)
        ok = (error <= allowed) | both_nan | same_inf
        # How many times its allowance each element is off; NaN where it should not be is infinitely off.
        violation = np.where(ok, 0.0, np.where(np.isnan(error), np.inf, error / np.maximum(allowed, 1e-300)))
        finite = np.isfinite(want64) & np.isfinite(got64)
        relative = np.where(finite & (want64 != 0), error / np.abs(np.where(want64 == 0, 1, want64)), 0.0)
        norm_want = float(np.linalg.norm(want64[np.isfinite(want64)])) if want64.size else 0.0
        norm_error = float(np.linalg.norm(error[finite])) if want64.size else 0.0
    mismatched = int((~ok).sum())
    # A NaN or infinity where a finite value belongs is an error of unbounded size.
    unbounded = bool((~ok & ~finite).any())
    diagnostics: dict[str, Any] = {
        "mismatched": mismatched,
        "total": int(want64.size),
        "max_abs_error": "inf" if unbounded else (_plain(np.max(error[finite])) if finite.any() else 0.0),
        "max_rel_error": _plain(np.max(relative)) if relative.size else 0.0,
        "relative_error_norm": norm_error / norm_want if norm_want > 0 else 0.0,
        "expected_norm": norm_want,
    }
    if mismatched:
        worst = np.unravel_index(int(np.argmax(violation)), violation.shape) if violation.ndim else ()
        diagnostics["worst_index"] = [int(i) for i in worst]
        diagnostics["expected"] = _plain(want[worst] if want.ndim else want)
        diagnostics["actual"] = _plain(got[worst] if got.ndim else got)
        if got64.ndim >= 1 and got64.size > 1:
            diagnostics["error_map"] = error_map(violation)
    return diagnostics


def error_map(violation: Any, size: int = ERROR_MAP_SIZE) -> dict[str, Any]:
    """Where the error lies: the array folded to 2-D (rows × last axis) and max-pooled to
    at most ``size × size`` cells, each the worst ``error / allowed`` inside it."""
    import numpy as np

    grid = violation.reshape(-1, violation.shape[-1]) if violation.ndim > 1 else violation.reshape(1, -1)
    rows, cols = grid.shape
    row_edges = np.linspace(0, rows, min(rows, size) + 1).astype(int)
    col_edges = np.linspace(0, cols, min(cols, size) + 1).astype(int)
    cells = [
        [_plain(grid[r0:r1, c0:c1].max()) for c0, c1 in zip(col_edges, col_edges[1:])]
        for r0, r1 in zip(row_edges, row_edges[1:])
    ]
    return {
        "rows": rows,
        "cols": cols,
        "row_edges": [int(edge) for edge in row_edges],  # cell i covers rows row_edges[i]..row_edges[i+1]-1
        "col_edges": [int(edge) for edge in col_edges],
        "cells": cells,
    }


def _mismatch_message(name: str, d: dict[str, Any], rtol: float, atol: float) -> str:
    share = 100 * d["mismatched"] / max(d["total"], 1)
    where = f" at index {tuple(d['worst_index'])}" if d.get("worst_index") else ""
    return (
        f"{name} differs from the expected value: {d['mismatched']} of {d['total']} elements ({share:.1f}%) "
        f"outside rtol={rtol:g}, atol={atol:g}; worst{where}: expected {d['expected']}, got {d['actual']}; "
        f"max abs error {_short(d['max_abs_error'])}, max rel error {_short(d['max_rel_error'])}"
    )


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float | int) else str(value)


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _dtype_name(value: Any) -> str:
    if _is_array(value):
        return str(value.dtype).removeprefix("torch.")
    return "float64"  # Python numbers and lists of them


def _tolerances(*dtype_names: str) -> tuple[float, float]:
    floating = [name for name in dtype_names if name in TOLERANCES]
    if not floating:
        return 0.0, 0.0  # integers and booleans: exact
    least_precise = min(floating, key=_PRECISION_ORDER.index)
    return TOLERANCES[least_precise]


def _as_numpy(value: Any) -> Any:
    import numpy as np

    if type(value).__module__.startswith("torch"):
        tensor = value.detach().cpu()
        if tensor.dtype.is_floating_point and tensor.element_size() < 4:  # numpy has no bfloat16
            tensor = tensor.float()
        return tensor.resolve_conj().numpy()
    return np.asarray(value)


def _as_float64(array: Any) -> Any:
    import numpy as np

    return array.astype(np.complex128 if np.iscomplexobj(array) else np.float64)


def _plain(value: Any) -> Any:
    """A numpy scalar as a JSON-safe Python value."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, complex):
        return repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value
