"""The HTML report in a real browser (Debian's chromium, headless, through chromedriver).

Checks through the browser, not by grepping the file: the score and counts shown match the
JSON report; the table has one row per open failed finding; a severity filter hides the others;
exposures, when the report has any, are the first section and their step links land on rows
that exist; compliance views, when it has any, follow the findings with one block per framework
and one row per requirement, failing ones linking to rows that exist; values carrying markup (a crafted copy of the report, rendered by `secaudit render`) show as
text and execute nothing; and no request leaves the page. Saves a screenshot.

Usage: python html_browser.py SECAUDIT REPORT.json REPORT.html SCREENSHOT.png
Prints "N passed, N failed"; exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(__file__))
from tally import Tally  # noqa: E402

os.environ.setdefault("SE_AVOID_STATS", "true")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1200,900"):
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp()}")
    return webdriver.Chrome(options=options, service=webdriver.ChromeService("/usr/bin/chromedriver"))


def check_exposures(driver, report, check):
    """Run after the text filter is set: the first step's finding may be filtered out, and the
    page must bring it back into view when the step is followed."""
    exposures = report.get("exposures") or []
    section_text = driver.find_element(By.ID, "exposures").text
    if not exposures:
        check("no_exposures_says_so", "No exposures:" in section_text, section_text[:200])
        return
    open_exposures = [e for e in exposures if not e.get("muted")]
    first = driver.execute_script(
        "var h = document.querySelector('h2'); var s = h && h.closest('section'); return s && s.id")
    check("exposures_are_the_first_section", first == "exposures", first)
    check("exposures_before_findings", driver.execute_script(
        "return !!(document.getElementById('exposures').compareDocumentPosition("
        "document.getElementById('findings')) & Node.DOCUMENT_POSITION_FOLLOWING)"))
    blocks = driver.find_elements(By.CSS_SELECTOR, "#exposures > .exposure")
    check("one_block_per_open_exposure", len(blocks) == len(open_exposures),
          f"{len(blocks)} != {len(open_exposures)}")
    hidden = driver.find_elements(By.CSS_SELECTOR, "#hidden-exposures .exposure")
    check("hidden_exposures_are_collapsed", len(hidden) == len(exposures) - len(open_exposures)
          and not any(h.is_displayed() for h in hidden))
    links = driver.find_elements(By.CSS_SELECTOR, "#exposures a[href^='#']")
    fragments = [link.get_attribute("href").split("#", 1)[1] for link in links]
    missing = [f for f in fragments
               if driver.execute_script("return document.getElementById(arguments[0]) === null", f)]
    check("every_step_link_has_a_target", bool(fragments) and not missing, missing[:3])
    if not links or not links[0].is_displayed():
        return
    links[0].click()
    fragment = fragments[0]
    hash_ = driver.execute_script("return location.hash")
    check("step_link_targets_its_finding", hash_ == "#" + fragment, f"{hash_} != #{fragment}")
    target = driver.execute_script("return document.getElementById(arguments[0])", fragment)
    in_view = target is not None and target.is_displayed() and driver.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight",
        target)
    check("step_link_scrolls_to_a_shown_row", in_view)


def check_compliance(driver, report, check):
    """One block per framework view of the JSON, after the findings, each with one row per
    requirement (collapsed: counted, not looked at); a failing requirement's links land on rows
    that exist, and following one shows its row even when the filters hid it."""
    views = report.get("compliance") or []
    sections = driver.find_elements(By.ID, "compliance")
    if not views:
        check("no_compliance_no_section", not sections)
        return
    check("compliance_section_after_findings", bool(sections) and driver.execute_script(
        "return !!(document.getElementById('findings').compareDocumentPosition("
        "document.getElementById('compliance')) & Node.DOCUMENT_POSITION_FOLLOWING)"))
    if not sections:
        return
    blocks = driver.find_elements(By.CSS_SELECTOR, "#compliance > .framework")
    shown = [b.get_attribute("data-framework") for b in blocks]
    expected = [v["framework"] for v in views]
    check("one_compliance_block_per_framework", shown == expected, f"{shown} != {expected}")
    for block, view in zip(blocks, views):
        heading = block.find_element(By.TAG_NAME, "h3").text
        check(f"compliance_{view['framework']}_heading",
              view["name"] in heading and view["version"] in heading, heading)
        rows = block.find_elements(By.CSS_SELECTOR, "tr.requirement")
        check(f"compliance_{view['framework']}_one_row_per_requirement",
              len(rows) == len(view["requirements"]), f"{len(rows)} != {len(view['requirements'])}")
        statuses = [r.get_attribute("data-status") for r in rows]
        listed = [r["status"] for r in view["requirements"]]
        check(f"compliance_{view['framework']}_statuses_match", statuses == listed)
    links = driver.find_elements(By.CSS_SELECTOR, "#compliance a[href^='#']")
    fragments = [link.get_attribute("href").split("#", 1)[1] for link in links]
    missing = [f for f in fragments
               if driver.execute_script("return document.getElementById(arguments[0]) === null", f)]
    failing = any(r["status"] == "fail" for v in views for r in v["requirements"])
    check("every_compliance_link_has_a_target", (bool(fragments) or not failing) and not missing,
          missing[:3])
    if not links:
        return
    link = links[0]
    details = driver.execute_script("return arguments[0].closest('details')", link)
    details.find_element(By.TAG_NAME, "summary").click()
    link.click()
    hash_ = driver.execute_script("return location.hash")
    check("compliance_link_targets_its_result", hash_ == "#" + fragments[0], f"{hash_} != #{fragments[0]}")
    target = driver.execute_script("return document.getElementById(arguments[0])", fragments[0])
    check("compliance_link_shows_its_row", target is not None and target.is_displayed())


def main() -> int:
    secaudit, report_path, html_path, screenshot = sys.argv[1:5]
    with open(report_path) as handle:
        report = json.load(handle)
    open_results = [r for r in report["results"] if r["status"] == "fail" and not r.get("muted")]
    tally = Tally("html browser")
    check = tally.check

    driver = browser()
    try:
        driver.get("file://" + os.path.abspath(html_path))
        score = report["score"]["overall"]
        shown = driver.find_element(By.ID, "score").text
        check("score_matches_the_json", shown == f"{score:.1f}", shown)
        check("failed_count_matches", driver.find_element(By.ID, "failed").text == str(report["summary"]["failed"]))
        rows = driver.find_elements(By.CSS_SELECTOR, "#findings tr.finding")
        check("one_row_per_open_failed_finding", len(rows) == len(open_results), f"{len(rows)} != {len(open_results)}")
        visible = lambda: [r for r in driver.find_elements(By.CSS_SELECTOR, "#findings tr.finding") if r.is_displayed()]
        driver.find_element(By.CSS_SELECTOR, ".sev-filter[value='critical']").click()
        not_critical = [r for r in open_results if r["severity"] != "critical"]
        check("severity_filter_hides_the_others", len(visible()) == len(not_critical), f"{len(visible())} != {len(not_critical)}")
        check("filtered_rows_are_not_critical", all(r.get_attribute("data-severity") != "critical" for r in visible()))
        driver.find_element(By.CSS_SELECTOR, ".sev-filter[value='critical']").click()
        driver.find_element(By.ID, "text-filter").send_keys("sg.high_risk_ports")
        expected = [r for r in open_results if "sg.high_risk_ports" in r["check_id"]]
        check("text_filter", len(visible()) == len(expected), f"{len(visible())} != {len(expected)}")
        resources = driver.execute_script("return performance.getEntriesByType('resource').length")
        check("no_request_left_the_page", resources == 0, resources)
        driver.save_screenshot(screenshot)
        check_exposures(driver, report, check)
        check_compliance(driver, report, check)

        # Markup in values from AWS: shown as text, never run.
        crafted = dict(report)
        crafted["results"] = [dict(r) for r in report["results"]]
        target = next(r for r in crafted["results"] if r["status"] == "fail" and not r.get("muted"))
        target["resource_id"] = "<script>window.__pwned=1</script>"
        target["resource_name"] = "\"><img src=x onerror=\"window.__pwned=2\">"
        target["detail"] = "<b id=injected>bold</b>"
        if crafted.get("exposures"):
            crafted["exposures"] = [dict(e) for e in crafted["exposures"]]
            crafted["exposures"][0]["title"] = "<img src=x onerror=\"window.__pwned=3\">"
        with tempfile.TemporaryDirectory() as directory:
            crafted_path = os.path.join(directory, "crafted.json")
            with open(crafted_path, "w") as handle:
                json.dump(crafted, handle)
            page = subprocess.run([secaudit, "render", crafted_path, "--format", "html"],
                                  capture_output=True, check=True).stdout
            page_path = os.path.join(directory, "crafted.html")
            with open(page_path, "wb") as handle:
                handle.write(page)
            driver.get("file://" + page_path)
            text = driver.find_element(By.ID, "findings").text
            check("markup_shows_as_text", "<script>window.__pwned=1</script>" in text and "onerror=" in text)
            check("markup_executed_nothing", driver.execute_script("return window.__pwned") is None)
            check("no_injected_elements", not driver.find_elements(By.ID, "injected")
                  and not driver.find_elements(By.CSS_SELECTOR, "img[src='x']"))
    except Exception:  # noqa: BLE001
        tally.broken()
    finally:
        driver.quit()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
