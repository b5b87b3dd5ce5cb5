"""The passage table counts the source's own voice: quoted voices' stance codes stay out unless
asked for."""

from stancemap.config import Config
from stancemap.corpus.store import Store
from stancemap.annotations.resolution import code_rows
from stancemap.datasets.tables import passage_table
from stancemap.nlp.pipeline import code_project
from conftest import DATA


def test_quoted_voices_stay_out_of_the_passage_table_unless_asked(ingest_folder, coder, codebook):
    _, project = ingest_folder(DATA / "quoted")
    code_project(project, Config(), codebook, coder=coder)
    store = Store(project)
    stance = code_rows(store).query("dimension == 'stance' and target == 'chinese_loans'")
    voices = {d["voice"]: value for d, value in zip(stance.details, stance.value)}
    assert voices == {"own": voices["own"], "quoted": "favour"} and voices["own"] != "favour"
    (row,) = passage_table(store, codebook).itertuples()
    assert row.stance_chinese_loans == voices["own"]
    # asked for, a quoted voice stands only where the source's own voice codes nothing
    (row,) = passage_table(store, codebook, quoted_voices=True).itertuples()
    assert row.stance_chinese_loans == voices["own"]
