"""`stancemap topics --assign` tells the user plainly when there is nothing it can assign to."""

import pytest
from conftest import invoke


def test_assign_without_a_model_is_a_one_line_error(project):
    result = invoke("topics", "--project", project, "--assign")
    assert result.exit_code == 2
    assert "no topic model yet" in result.output and "Traceback" not in result.output


@pytest.mark.slow  # fits a two-topic LDA on the example corpus
def test_assign_to_an_lda_model_says_to_refit(project):
    config = project / "stancemap.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('method = "embedding"', 'method = "lda"'),
                      encoding="utf-8")
    assert invoke("topics", "--project", project, "--num-topics", "2").exit_code == 0
    result = invoke("topics", "--project", project, "--assign")
    assert result.exit_code == 2 and "cannot extend" in result.output and "lda" in result.output
