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


def test_readme_table_has_every_chapter_and_status():
    table = report.readme_table()
    assert len(table.splitlines()) == 2 + 14
    assert "| 00 | [How to use this book]" in table
