"""Reading the rendered HTML pages in tests: their tags and text (stdlib parser), and headless Chromium.

The browser tests drive the system's Chromium through Playwright (which cannot
download its own browsers here). A machine without it fails those tests with
the command that installs it: CI installs it, so a skip would hide a gap.
"""

from __future__ import annotations

import html.parser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # git-ignored


@dataclass
class Element:
    tag: str
    attributes: dict[str, str | None]
    text: str = ""  # all the text inside it, children's included
    start: int = 0  # its place among the page's elements
    end: int = 0  # the place after its last descendant


class ParsedPage(html.parser.HTMLParser):
    """Every element of a page with its attributes and text, in document order."""

    CELLS = {"th", "td", "tr", "li", "dt", "dd"}  # their text is set apart from the text before them
    VOID = {"meta", "link", "br", "hr", "img", "input", "col", "wbr", "source", "area", "base", "embed"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.CELLS:
            self.handle_data(" ")
        element = Element(tag, dict(attrs), start=len(self.elements), end=len(self.elements) + 1)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs), start=len(self.elements), end=len(self.elements) + 1))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                for element in self._open[i:]:
                    element.end = len(self.elements)
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find_all(self, tag: str, within: Element | None = None, **attributes: str) -> list[Element]:
        """The ``tag`` elements with these attribute values, inside ``within`` if given."""
        elements = self.elements[within.start + 1 : within.end] if within else self.elements
        return [
            element
            for element in elements
            if element.tag == tag and all(element.attributes.get(k) == v for k, v in attributes.items())
        ]


@dataclass
class OpenedPage:
    page: Any  # playwright.sync_api.Page
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@contextmanager
def open_in_chromium(path: Path, width: int = 1000, height: int = 800) -> Iterator[OpenedPage]:
    """``path`` opened in headless Chromium, with every request and console error it causes recorded."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the HTML report tests need it (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the HTML report tests need Playwright: pip install -e '.[test]' (or pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            opened = OpenedPage(page)
            page.on("request", lambda request: opened.requests.append(request.url))
            page.on("console", lambda message: message.type == "error" and opened.console_errors.append(message.text))
            page.on("pageerror", lambda error: opened.console_errors.append(str(error)))
            page.goto(path.resolve().as_uri())
            yield opened
        finally:
            browser.close()
