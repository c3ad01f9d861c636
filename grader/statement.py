"""An exercise's statement (its README.md) for reading: in the terminal, or as a page."""

from __future__ import annotations

from grader.exercise import Exercise


def terminal_text(exercise: Exercise, *, width: int | None = None, colour: bool | None = None) -> str:
    """The statement with headings, emphasis and highlighted code blocks (rich's Markdown)."""
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(width=width, force_terminal=colour, no_color=colour is False, record=False)
    with console.capture() as captured:
        console.print(Markdown(exercise.statement_file.read_text(encoding="utf-8"), code_theme="ansi_dark"))
    return captured.get()


def html_page(exercise: Exercise) -> str:
    """The statement as one self-contained HTML page."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    from grader.templates import environment

    # html=False: raw HTML in the Markdown is shown as text, never run.
    body = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        .render(exercise.statement_file.read_text(encoding="utf-8"))
    )
    return environment().get_template("statement.html.j2").render(title=exercise.title, body=Markup(body))
