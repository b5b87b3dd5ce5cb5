"""The time and row limits hold for tables: rows are streamed and counted, a table over
ingest.max_rows or past ingest.timeout_s is skipped with the reason, and the run ends."""

import json
import random

import pytest
import sqlalchemy as sa

from stancemap.config import Config, IngestConfig
from stancemap.corpus.store import Store, runs

WORDS = ("railway customs grain loans students solar highway pipeline border trade investment "
         "water energy jobs roads schools").split()


def survey(path, rows: int):
    """A survey export: an id, an open-ended answer and an age per respondent."""
    pick = random.Random(7).choice
    with path.open("w", encoding="utf-8") as handle:
        handle.write("respondent_id,answer,age\n")
        for number in range(rows):
            handle.write(f"{number},The {pick(WORDS)} and the {pick(WORDS)} from China matter "
                         f"to {pick(WORDS)} here,{20 + number % 50}\n")
    return path


def run_statuses(project):
    store = Store(project, create=False)
    with store.engine.connect() as conn:
        found = [r.status for r in conn.execute(sa.select(runs.c.status))]
    store.dispose()
    return found


def test_tables_and_lines_over_max_rows_are_skipped_with_the_count(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    survey(folder / "small.csv", 8)
    survey(folder / "large.csv", 30)
    with (folder / "feed.jsonl").open("w", encoding="utf-8") as handle:
        for number in range(12):
            handle.write(json.dumps({"id": number, "text": f"Report {number} on the railway."}) + "\n")
    from openpyxl import Workbook

    book = Workbook()
    for number in range(25):
        book.active.append([number, f"Answer {number}: the grain trade with China grew a lot"])
    book.save(folder / "sheet.xlsx")
    report, project = ingest_folder(folder, config=Config(ingest=IngestConfig(max_rows=10)))
    by_name = {r.path: r for r in report.files}
    assert by_name["small.csv"].status == "ingested"
    for name, what in (("large.csv", "rows"), ("feed.jsonl", "lines"), ("sheet.xlsx", "rows")):
        assert by_name[name].status == "skipped", name
        assert f"more than 10 {what} (ingest.max_rows)" in by_name[name].reason
    assert run_statuses(project) == ["completed"]


@pytest.mark.slow
def test_a_million_row_survey_respects_the_time_and_row_limits(ingest_folder, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    survey(folder / "million.csv", 1_000_000)
    limited = Config(ingest=IngestConfig(timeout_s=3, max_rows=2_000_000))
    report, project = ingest_folder(folder, tmp_path / "timed", config=limited)
    (result,) = report.files
    assert result.status == "skipped"
    assert "longer than 3 s (ingest.timeout_s)" in result.reason
    assert run_statuses(project) == ["completed"]

    report, _ = ingest_folder(folder, tmp_path / "default")  # the default limits
    (result,) = report.files
    assert result.status == "skipped"
    assert "more than 200,000 rows (ingest.max_rows)" in result.reason


def test_an_alarm_that_lands_in_a_finaliser_is_dropped_and_the_limit_still_holds(monkeypatch):
    """An alarm raised where Python cannot raise (a finaliser, a garbage collector's callback)
    goes to sys.unraisablehook: the time limit drops those of its own, passes any other on,
    and its next alarm stops the file."""
    import sys

    from stancemap.corpus.limits import TimeLimitExceeded, time_limit

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)

    class Raising:
        def __init__(self, error):
            self.error = error

        def __del__(self):
            raise self.error

    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            Raising(TimeLimitExceeded())  # as an alarm landing in its finaliser would
            Raising(ValueError("not the limit's"))
            while True:
                pass
    assert [u.exc_type for u in seen] == [ValueError]
    assert sys.unraisablehook == seen.append


def test_an_alarm_inside_an_uninterrupted_step_waits_for_the_step_to_end():
    import time

    from stancemap.corpus.limits import TimeLimitExceeded, time_limit, uninterrupted

    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.01):
            with uninterrupted():  # the alarm at 10 ms (and those after) wait for the step
                while time.monotonic() - started < 0.2:
                    pass
                finished = True
            pytest.fail("the waiting alarm stops the block as the step ends")
    assert finished and 0.2 <= time.monotonic() - started < 0.3


@pytest.mark.slow
def test_pdfs_stopped_by_the_limit_leave_pypdfium2_consistent(tmp_path, monkeypatch):
    """Stopping a PDF halfway must not cut pypdfium2's making or closing of a page in two: that
    left pages unregistered with their document, whose finalisers then failed an assertion on
    the user's terminal and left dead entries in pypdfium2's object tracker."""
    import gc
    import sys

    from fpdf import FPDF
    from pypdfium2.internal import bases

    from stancemap.corpus.limits import TimeLimitExceeded, time_limit
    from stancemap.corpus.readers.pdf import read_pdf

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(60):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page {number}. " + " ".join(WORDS) * 6)
    path = tmp_path / "long.pdf"
    pdf.output(str(path))
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    stopped = 0
    for step in range(60):
        try:
            with time_limit(0.001 + 0.0005 * step):
                read_pdf(path, {})
        except TimeLimitExceeded:
            stopped += 1
        gc.collect()
    dead = {kind.__name__: sum(ref() is None for ref in refs) for kind, refs in bases.ObjectTracker.items()}
    assert stopped >= 15 and seen == [] and not any(dead.values()), (stopped, seen, dead)
