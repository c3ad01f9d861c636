"""Where the Jinja2 templates of the rendered reports live.

In a source checkout they are the top-level ``templates/`` folder; an
installed wheel carries them as ``grader/templates`` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the grader's templates are missing: reinstall the package")


def environment():
    """A Jinja2 environment over the templates, HTML autoescaped."""
    import jinja2  # only the rendered reports pay for it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
