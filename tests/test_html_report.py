"""The HTML report: one self-contained page, a pure function of the result model.

Most tests build ``GradingResult`` objects directly and read the page with the
standard library's HTML parser; the browser tests open it in headless Chromium
and check what a person sees and what the page asks the network for.
"""

from __future__ import annotations

import numpy as np
from conftest import EXERCISES, REPO, grade_json
from html_page import ARTIFACTS, ParsedPage, open_in_chromium
from results import SCRIPT, a_result, a_test

from grader.display import tensor_summary
from grader.formats import html
from grader.numeric import compare
from grader.result import HIDDEN_MESSAGE, GradingResult, Status, TestResult, learner_view


def off_by_a_block() -> dict:
    """Real diagnostics of grader.numeric: a 40 × 70 output wrong in one band, NaN in one corner."""
    expected = np.ones((40, 70))
    actual = expected.copy()
    actual[10:14, 30:] += 0.5
    actual[39, 69] = np.nan
    return compare(actual, expected, rtol=1e-7, atol=1e-7)


def numeric_failure() -> TestResult:
    return a_test(
        "test_attention_matches_the_float64_formula",
        max_score=2.0,
        message="attention(q, k, v) differs from the expected value: 161 of 2800 elements\nworst at (39, 69)",
        counterexample={"q": tensor_summary(np.arange(32, dtype=np.float32).reshape(4, 8)), "causal": True},
        diagnostics=off_by_a_block(),
        traceback='  attention.py, line 12, in attention\n    scores = q @ k.T\nValueError: "shapes"',
        output="".join(f"step {i}\n" for i in range(100)),
        location={"file": "attention.py", "line": 12},
        duration_s=0.31,
    )


def everything() -> GradingResult:
    """One test of each status, in the suite's order (passed first), and notes."""
    return a_result(
        a_test("test_known_answer", Status.PASSED),
        a_test("test_runs_on_the_gpu", Status.SKIPPED, message="needs a GPU"),
        numeric_failure(),
        a_test("test_rows_sum_to_one", message="row 3 sums to 0.5", counterexample={"n": 3, "name": "a\nb"}),
        notes=["dropped the IPython magic `%timeit` on cell 2, line 1"],
    )


def test_failures_come_first_then_skipped_then_passed():
    page = ParsedPage(html.render(everything()))
    order = [article.attributes["data-test"] for article in page.find_all("article")]
    assert order == [
        "test_attention_matches_the_float64_formula",
        "test_rows_sum_to_one",
        "test_runs_on_the_gpu",
        "test_known_answer",
    ]
    assert [h2.text.split()[0] for h2 in page.find_all("h2")] == ["Failed", "Skipped", "Passed"]


def test_the_summary_shows_title_submission_score_seed_command_notes_and_message():
    result = a_result(numeric_failure(), a_test("test_known_answer", Status.PASSED), notes=["a note"])
    result.message = "SyntaxError in attention.py, line 3: `def f(:`"
    page = ParsedPage(html.render(result))
    (header,) = page.find_all("header")
    for expected in ("Scaled dot-product attention", "(attention)", "attention.py", "1 / 3", "failed", "a note"):
        assert expected in header.text
    assert "SyntaxError in attention.py, line 3" in page.find_all("div", role="alert")[0].text
    assert page.find_all("code", id="command")[0].text == "grade exercises/attention --seed 7"
    assert "Seed7" in "".join(header.text.split())
    (bar,) = [el for el in page.find_all("div") if el.attributes.get("role") == "progressbar"]
    assert "status-failed" in bar.attributes["class"] and bar.attributes["aria-valuenow"] == "1.0"


def test_each_test_shows_points_status_reason_and_time():
    page = ParsedPage(html.render(everything()))
    (article,) = page.find_all("article", **{"data-test": "test_attention_matches_the_float64_formula"})
    text = " ".join(article.text.split())
    assert "✗ failed" in text and "0 / 2" in text and "310 ms" in text
    assert "differs from the expected value: 161 of 2800 elements" in text
    assert "Your code: attention.py, line 12" in text
    (skipped,) = page.find_all("article", **{"data-test": "test_runs_on_the_gpu"})
    assert "needs a GPU" in skipped.text and "skipped" in skipped.text


def test_long_sections_are_collapsed_details_with_labelled_summaries():
    page = ParsedPage(html.render(everything()))
    details = page.find_all("details")
    assert details and all("open" not in element.attributes for element in details)
    summaries = [" ".join(summary.text.split()) for summary in page.find_all("summary")]
    assert summaries[:5] == [
        "Full message",
        "Smallest failing input",
        "How far off the numbers are",
        "Where your code raised (traceback)",
        "What your code printed (100 lines)",
    ]


def test_the_message_shows_its_first_line_and_keeps_the_rest():
    page = ParsedPage(html.render(everything()))
    (reason,) = [p for p in page.find_all("p", **{"class": "reason"}) if "161 of 2800" in p.text]
    assert "worst at" not in reason.text
    (more,) = page.find_all("details", **{"class": "message-more"})
    assert "worst at (39, 69)" in more.text


def test_tensor_arguments_show_shape_dtype_and_values_not_raw_dicts():
    page = ParsedPage(html.render(everything()))
    (example, _) = page.find_all("details", **{"class": "counterexample"})
    text = " ".join(example.text.split())
    assert "ndarray · float32 · shape 4 × 8" in text
    assert "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, …" in text
    assert "first 16 of 32 values" in text
    assert "causal True" in text
    assert "numel" not in text and "'type'" not in text and '"values"' not in text


def test_numeric_diagnostics_and_an_inline_svg_map_of_the_error():
    page = ParsedPage(html.render(everything()))
    (diagnostics,) = page.find_all("details", **{"class": "diagnostics"})
    text = " ".join(diagnostics.text.split())
    assert "Elements outside tolerance 161 of 2800 (5.8%)" in text
    assert "Worst element at index [39, 69]: expected 1, got nan" in text
    # One element is NaN where 1 was expected: an error of unbounded size.
    assert "Largest absolute error inf" in text and "Largest relative error 0.5" in text
    assert "within tolerance" in text and "NaN or infinite" in text and "its tolerance" in text
    (svg,) = page.find_all("svg")
    cells = page.find_all("rect")
    assert len(cells) == 16 * 16
    fills = {cell.attributes["fill"] for cell in cells}
    assert {html.HEAT_WITHIN, html.HEAT_NOT_FINITE} < fills, "fine, off and non-finite cells differ in colour"
    assert svg.text.count("× its tolerance") == 2 * 9, "rows 10–14 × columns 30–69 are off"
    assert "rows 10–11, columns 30–34: 2.5e+06× its tolerance" in svg.text
    assert "rows 37–39, columns 65–69: NaN or infinite" in svg.text


def test_long_output_shows_its_last_lines_and_keeps_all():
    page = ParsedPage(html.render(everything()))
    (output,) = page.find_all("details", **{"class": "output"})
    shown = output.text.split("All 100 lines")[0]
    assert "step 99" in shown and "step 69\n" not in shown and "70 earlier lines" in shown
    assert "step 0\n" in output.text, "the whole output stays one click away"


def test_hidden_tests_show_a_badge_and_none_of_their_details():
    hidden = numeric_failure()
    hidden.visibility = "after_due_date"
    shown = a_test("test_rows_sum_to_one", message="row 3 sums to 0.5", counterexample={"n": 3})
    page_text = html.render(learner_view(a_result(hidden, shown)))
    page = ParsedPage(page_text)
    (article,) = page.find_all("article", **{"data-test": hidden.name})
    assert "hidden" in [badge.text for badge in page.find_all("span", **{"class": "badge hidden-badge"})]
    assert HIDDEN_MESSAGE in article.text
    assert not [element for element in page.elements if element.tag in ("details", "svg") and "161" in element.text]
    assert "step 99" not in page_text and "float32" not in page_text
    (visible,) = page.find_all("article", **{"data-test": shown.name})
    assert "hidden" not in visible.text


def test_a_submission_that_does_not_load_says_so_once():
    message = "SyntaxError in attention.py, line 1: `def attention(q, k, v:`: '(' was never closed"
    tests = [
        a_test(
            name, Status.ERROR, message=message, counterexample={"n": 0}, location={"file": "attention.py", "line": 1}
        )
        for name in ("test_a", "test_b", "test_c")
    ]
    page = ParsedPage(html.render(a_result(*tests, status=Status.ERROR, message=message)))
    assert sum(message in element.text for element in page.find_all("p")) == 1
    assert "The submission could not be graded" in page.find_all("div", role="alert")[0].text
    assert "3 errors" in page.find_all("header")[0].text
    assert all("the submission did not load" in article.text for article in page.find_all("article"))
    assert not page.find_all("details", **{"class": "counterexample"}), "no input reached code that did not load"


def test_learner_text_is_shown_as_text_never_as_markup():
    result = a_result(
        a_test(
            "test_escape",
            message=SCRIPT,
            counterexample={"s": SCRIPT, SCRIPT: 1},
            output=SCRIPT,
            traceback=SCRIPT,
            diagnostics={"expected": SCRIPT, "actual": '"><img src=x onerror=alert(1)>'},
        ),
        submission=f"{SCRIPT}.py",
        message=SCRIPT,
        notes=[SCRIPT],
    )
    page_text = html.render(result)
    page = ParsedPage(page_text)
    assert not page.find_all("script") and not page.find_all("img")
    assert SCRIPT not in page_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text
    (body,) = page.find_all("body")
    assert body.text.count(SCRIPT) >= 7, "each piece of learner text reads as the characters it is"


def test_the_page_fetches_nothing_and_runs_no_script():
    page_text = html.render(everything())
    page = ParsedPage(page_text)
    assert "://" not in page_text, "no URL of any kind"
    assert not [element for element in page.elements if "src" in element.attributes]
    (policy,) = [
        meta for meta in page.find_all("meta") if meta.attributes.get("http-equiv") == "Content-Security-Policy"
    ]
    assert "default-src 'none'" in policy.attributes["content"] and "script-src 'none'" in policy.attributes["content"]


def test_rendering_is_a_pure_function_of_the_result():
    result = everything()
    again = GradingResult.from_dict(result.as_dict())
    assert html.render(result) == html.render(again) == html.render(everything())


def test_a_result_with_no_tests_and_no_points_renders():
    page = ParsedPage(html.render(a_result(status=Status.ERROR, message="not graded: timed out", command="")))
    assert "0 / 0" in page.find_all("header")[0].text and "No tests ran." in page.find_all("p")[-1].text
    assert not page.find_all("code", id="command")


# -- in a browser --------------------------------------------------------------


def test_a_failing_submission_in_the_browser(tmp_path):
    data, exit_status = grade_json(
        EXERCISES / "knapsack", "--submission", str(REPO / "tests/submissions/knapsack/wrong_unbounded.py")
    )
    assert exit_status == 1
    result = GradingResult.from_dict(data)
    report = tmp_path / "report.html"
    report.write_text(html.render(learner_view(result)), encoding="utf-8")
    failing = next(test for test in result.tests if test.status is Status.FAILED and test.counterexample)

    with open_in_chromium(report) as opened:
        page = opened.page
        assert page.locator("#score").inner_text() == f"{result.score:g} / {result.max_score:g}" == "3 / 11"
        assert page.get_by_text(result.command, exact=True).is_visible()
        article = page.locator(f'article[data-test="{failing.name}"]')
        assert article.get_by_text(failing.message).is_visible()
        example = article.locator("details.counterexample")
        table = example.locator("table")
        assert not table.is_visible(), "the smallest failing input is collapsed at first"
        example.get_by_text("Smallest failing input").click()
        assert table.is_visible()
        assert "items" in table.inner_text() and "[" in table.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert opened.console_errors == []
        assert opened.requests == [report.resolve().as_uri()], "the page fetches nothing but itself"


def test_numeric_details_at_phone_width_in_the_browser(tmp_path):
    report = tmp_path / "numeric.html"
    report.write_text(html.render(everything()), encoding="utf-8")
    with open_in_chromium(report, width=390) as opened:
        page = opened.page
        article = page.locator('article[data-test="test_attention_matches_the_float64_formula"]')
        heatmap = article.locator(".heatmap svg")
        assert not heatmap.is_visible()
        article.get_by_text("How far off the numbers are").click()
        assert heatmap.is_visible()
        box = heatmap.bounding_box()
        assert box is not None and box["width"] > 200
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-numeric-phone.png"), full_page=True)
        assert opened.console_errors == []
        assert opened.requests == [report.resolve().as_uri()]
