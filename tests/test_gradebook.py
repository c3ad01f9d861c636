"""The gradebook: a class's results as CSV and as one sortable, self-contained HTML page."""

from __future__ import annotations

import csv
import io

from html_page import ARTIFACTS, ParsedPage, open_in_chromium
from results import SCRIPT, a_result, a_test

from grader.formats import gradebook
from grader.result import Measurement, Status

LOAD_ERROR = "SyntaxError in knapsack.py, line 3: `def max_value(:`: invalid syntax"


def a_class() -> list[tuple[str, object]]:
    """Four students; the third's run has a test the others lack, the fourth's did not load."""
    return [
        (
            "ada",
            a_result(
                a_test("test_known_answers", Status.PASSED, max_score=2.0),
                a_test("test_best_subset", message="max_value returned 2, but the best subset is worth 1\nmore"),
                a_test("test_order", Status.PASSED),
                duration_s=0.5,
            ),
        ),
        (
            "grace",
            a_result(
                a_test("test_known_answers", Status.PASSED, max_score=2.0),
                a_test("test_best_subset", Status.PASSED),
                a_test("test_order", Status.PASSED),
                status=Status.PASSED,
                duration_s=2.0,
            ),
        ),
        (
            "alan",
            a_result(
                a_test("test_known_answers", message="max_value returned 300, expected 220", max_score=2.0),
                a_test("test_best_subset", message="max_value returned 2, but the best subset is worth 1"),
                a_test("test_order", Status.SKIPPED, message="needs a GPU"),
                a_test("test_extra", Status.PASSED, score=0.5, max_score=0.5),
                duration_s=1.0,
            ),
        ),
        (
            "barbara",
            a_result(
                *[
                    a_test(name, Status.ERROR, message=LOAD_ERROR)
                    for name in ("test_known_answers", "test_best_subset")
                ],
                status=Status.ERROR,
                message=LOAD_ERROR,
                duration_s=0.25,
            ),
        ),
    ]


def test_csv_has_a_column_per_test_in_first_seen_order_holding_points():
    rows = list(csv.reader(io.StringIO(gradebook.render_csv(a_class()))))
    assert rows[0] == [
        "student",
        "score",
        "max_score",
        "status",
        "test_known_answers",
        "test_best_subset",
        "test_order",
        "test_extra",
    ]
    by_student = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert list(by_student) == ["ada", "grace", "alan", "barbara"]
    assert by_student["ada"] == {
        "student": "ada",
        "score": "3",
        "max_score": "4",
        "status": "failed",
        "test_known_answers": "2",
        "test_best_subset": "0",
        "test_order": "1",
        "test_extra": "",
    }
    assert by_student["alan"]["test_extra"] == "0.5" and by_student["alan"]["score"] == "0.5"
    assert by_student["barbara"]["status"] == "error" and by_student["barbara"]["test_order"] == ""


def a_timed_class() -> list[tuple[str, object]]:
    """Three students of a GPU exercise: two measured, one of them on one case only, one not at all."""

    def timed(student, *figures):
        rows = [
            Measurement(case, "TFLOP/s", figure, 400.0, "torch")
            for case, figure in zip(["N 4096", "N 4096, causal"], figures)
        ]
        return student, a_result(a_test("test_speed", Status.PASSED, max_score=0), performance=rows)

    return [timed("ada", 412.345, 380.0), timed("grace", 250.0), ("alan", a_result(a_test("test_speed")))]


def test_csv_has_a_column_per_measured_case_holding_each_students_figure():
    rows = list(csv.reader(io.StringIO(gradebook.render_csv(a_timed_class()))))
    assert rows[0][-2:] == ["N 4096 (TFLOP/s)", "N 4096, causal (TFLOP/s)"]
    assert [row[-2:] for row in rows[1:]] == [["412.3", "380"], ["250", ""], ["", ""]]


def test_page_has_the_same_speed_columns_sortable_by_value():
    page = ParsedPage(gradebook.render_html(a_timed_class(), {}))
    (table,) = page.find_all("table", id="students")
    headers = [" ".join(th.text.split()) for th in page.find_all("th", within=table)]
    assert headers[-2:] == ["N 4096 (TFLOP/s)", "N 4096, causal (TFLOP/s)"]
    cells = [(td.attributes.get("data-value"), td.text.strip()) for td in page.find_all("td", within=table)]
    assert ("412.345", "412.3") in cells and ("250.0", "250") in cells and ("0.0", "") in cells


def test_csv_quotes_names_with_commas_quotes_and_newlines():
    entries = [('Lovelace, "Ada"\nthe first', a_result(a_test("test_a", Status.PASSED)))]
    rows = list(csv.reader(io.StringIO(gradebook.render_csv(entries))))
    assert rows[1][0] == 'Lovelace, "Ada"\nthe first' and len(rows) == 2


def test_page_shows_every_student_with_a_link_to_their_report():
    page = ParsedPage(gradebook.render_html(a_class(), {"ada": "reports/ada.html", "alan": "reports/alan.html"}))
    (table,) = page.find_all("table", id="students")
    assert [" ".join(td.text.split()) for td in page.find_all("td", within=table, **{"class": "student"})] == [
        "ada",
        "grace",
        "alan",
        "barbara",
    ]
    assert [(a.attributes["href"], a.text) for a in page.find_all("a")] == [
        ("reports/ada.html", "ada"),
        ("reports/alan.html", "alan"),
    ]
    text = " ".join(table.text.split())
    assert "ada 3 4 failed 500 ms" in text and "grace 4 4 passed 2.00 s" in text and "barbara 0 2 error 250 ms" in text


def test_page_shows_pass_rates_of_graded_runs():
    page = ParsedPage(gradebook.render_html(a_class(), {}))
    (table,) = page.find_all("table", id="pass-rates")
    rates = {row.attributes["data-test"]: " ".join(row.text.split()) for row in page.find_all("tr", within=table)[1:]}
    assert rates == {
        "test_known_answers": "test_known_answers 2 / 4 (50%)",
        "test_best_subset": "test_best_subset 1 / 4 (25%)",
        "test_order": "test_order 2 / 2 (100%)",  # skipped in alan's run, absent from barbara's
        "test_extra": "test_extra 1 / 1 (100%)",
    }
    bars = [bar.attributes["aria-valuenow"] for bar in page.find_all("div", role="progressbar")]
    assert bars == ["50.0", "25.0", "100.0", "100.0"]


def test_page_counts_the_most_common_failure_messages_by_student():
    page = ParsedPage(gradebook.render_html(a_class(), {}))
    (table,) = page.find_all("table", id="messages")
    rows = [" ".join(row.text.split()) for row in page.find_all("tr", within=table)]
    assert rows[1:] == [
        "2 max_value returned 2, but the best subset is worth 1 test_best_subset",
        "1 max_value returned 300, expected 220 test_known_answers",
        f"1 {LOAD_ERROR} test_known_answers test_best_subset",  # one student, however many tests
    ]


def test_at_most_ten_messages_are_listed():
    entries = [(f"s{i}", a_result(a_test("test_a", message=f"wrong answer {i}"))) for i in range(15)]
    assert len(gradebook.common_failures(entries)) == 10


def test_student_names_and_messages_are_text_and_links_cannot_run_script():
    entries = [(SCRIPT, a_result(a_test("test_a", message=SCRIPT)))]
    page_text = gradebook.render_html(entries, {SCRIPT: "javascript:alert(1)"})
    page = ParsedPage(page_text)
    assert SCRIPT not in page_text
    assert [script.text.startswith("// Sorting") for script in page.find_all("script")] == [True]
    assert not page.find_all("a"), "a javascript: link is dropped"
    (body,) = page.find_all("body")
    assert body.text.count(SCRIPT) == 2  # the name and the message


def test_sorting_by_a_column_in_the_browser(tmp_path):
    path = tmp_path / "gradebook.html"
    path.write_text(gradebook.render_html(a_class(), {"ada": "reports/ada.html"}), encoding="utf-8")
    with open_in_chromium(path) as opened:
        page = opened.page

        def students() -> list[str]:
            return page.locator("#students tbody td.student").all_inner_texts()

        assert students() == ["ada", "grace", "alan", "barbara"]
        score = page.locator("#students thead th", has_text="Score").first
        score.get_by_role("button").click()
        assert students() == ["barbara", "alan", "ada", "grace"]
        assert score.get_attribute("aria-sort") == "ascending"
        score.get_by_role("button").click()
        assert students() == ["grace", "ada", "alan", "barbara"]
        page.get_by_role("button", name="Student").click()
        assert students() == ["ada", "alan", "barbara", "grace"]
        assert page.get_by_text("2 / 4 (50%)").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "gradebook.png"), full_page=True)
        assert opened.console_errors == [], "the sorting script runs under the page's policy"
        assert opened.requests == [path.resolve().as_uri()]
