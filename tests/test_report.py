"""The scoreboard and the README table are built from the stored claim records and runtimes.json."""

import nbformat

from conftest import ROOT, load_script
from utils.claims import CLAIM_MIME

report = load_script("report")


def test_claim_records_are_read_from_notebook_outputs(tmp_path):
    record = {"chapter": "99", "fast": False, "seed": 0, "rows": [{"claim": "c", "passed": True}]}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("utils.check_claims(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "table", CLAIM_MIME: record})]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell]
    path = tmp_path / "99_x.ipynb"
    nbformat.write(nb, path)
    assert report.claim_records(path) == [record]


def test_scoreboard_shows_the_stored_numbers_of_00():
    (record,) = report.claim_records(ROOT / "notebooks" / "00_how_to_use.ipynb")
    page = report.scoreboard_markdown()
    for row in record["rows"]:
        assert row["claim"].replace("|", "\\|") in page and f"{row['measured']:.4g}" in page


def test_pipes_in_claims_do_not_split_table_cells():
    assert report._cell("|slope + 1|") == "\\|slope + 1\\|"


def test_readme_table_has_every_chapter_status_and_verdict():
    table = report.readme_table()
    assert len(table.splitlines()) == 2 + 14
    assert "| 00 | [How to use this book]" in table and "| reproduced |" in table


def test_scoreboard_opens_with_one_row_per_chapter():
    page = report.scoreboard_markdown()
    glance = page.split("## At a glance")[1].split("## Every claim row")[0]
    rows = [line for line in glance.splitlines() if line.startswith("| ") and not line.startswith(("| chapter", "| ---"))]
    assert len(rows) == 14, f"expected one summary row per chapter (00-13), found {len(rows)}"
    for chapter in report.chapters():
        assert any(f"{chapter['number']} {chapter['title']}" in row for row in rows)
    (record,) = report.claim_records(ROOT / "notebooks" / "00_how_to_use.ipynb")
    assert record["verdict"] in glance and record["headline"] in glance


def test_seed_report_is_summarised_per_row():
    seeds = load_script("seeds")
    rows = [{"claim": "c", "passed": True, "measured": 0.5}, {"claim": "d", "passed": False, "measured": 2.0}]
    rows_b = [{"claim": "c", "passed": True, "measured": 0.7}, {"claim": "d", "passed": True, "measured": 1.0}]
    summary = seeds.summarise([(0, {"rows": rows}), (1, {"rows": rows_b}), (2, None)])
    assert summary["seeds"] == [0, 1, 2] and summary["without_record"] == [2]
    assert summary["rows"][0] == {"claim": "c", "passed": 2, "measured": [0.5, 0.7]}
    assert summary["rows"][1]["passed"] == 1
    assert report._seed_cell(summary, 0) == "2/3 (0.5 to 0.7)" and report._seed_summary(summary) == "0/3"


def test_exercise_table_lists_points_from_the_nbgrader_source():
    table = report.exercise_table()
    assert "| 00 | ch00-ex1 |" in table and "| by hand | 2 |" in table


def test_instructor_guide_links_every_written_chapter_in_its_tables():
    guide = (ROOT / "book" / "instructor_guide.md").read_text()
    assert report.link_guide(guide) == guide, "run `python scripts/report.py guide` to link the written chapters"
    for chapter in report.chapters():
        if report.chapter_status(chapter)[0] != "planned":
            link = f"<../notebooks/{report.notebook_name(chapter)}>`"
            assert guide.count(link) >= 2, f"chapter {chapter['number']} is not linked in the syllabus and prerequisites"
    assert "| planned |" not in guide and "| written |" not in guide, "status lives on the scoreboard, not the guide"
