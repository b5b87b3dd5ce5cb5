"""Model codes made outside a model's training languages can be left out of the tables."""

import pandas as pd

from stancemap.datasets.tables import in_language


def test_out_of_language_model_codes_are_left_out_on_request_human_codes_stay():
    rows = pd.DataFrame([
        {"passage_id": "p1", "status": "predicted", "details": {"out_of_language": True}},
        {"passage_id": "p2", "status": "predicted", "details": {"out_of_language": False}},
        {"passage_id": "p3", "status": "predicted", "details": None},
        {"passage_id": "p4", "status": "accepted", "details": {"out_of_language": True}},
    ])
    assert list(in_language(rows)["passage_id"]) == ["p1", "p2", "p3", "p4"]
    assert list(in_language(rows, out_of_language=False)["passage_id"]) == ["p2", "p3", "p4"]
