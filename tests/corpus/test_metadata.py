import pytest

from stancemap.corpus.metadata import Manifest, PathPattern
from stancemap.errors import UsageError


@pytest.mark.parametrize("pattern,path,expected", [
    ("{country}/{kind}/*", "KAZ/interview/a.txt", {"country": "KAZ", "kind": "interview"}),
    ("{country}_{session}_{year}.txt", "KGZ_70_2015.txt",
     {"country": "KGZ", "session": "70", "year": "2015"}),
    ("**/{country}/*", "deep/er/UZB/x.pdf", {"country": "UZB"}),
    ("{country}/{kind}/*", "KAZ/a.txt", None),
])
def test_pattern_matches(pattern, path, expected):
    assert PathPattern(pattern).match(path) == expected


@pytest.mark.parametrize("pattern,reason", [
    ("{country/*", "not closed"), ("{a}/{a}", "appears twice"), ("data/*", "has no {field}"),
    ("{my field}/*", "not a plain name"), ("/abs/{x}", "relative"), ("", "empty"),
])
def test_bad_patterns_name_the_problem(pattern, reason):
    with pytest.raises(UsageError) as err:
        PathPattern(pattern)
    assert reason in str(err.value) and "--pattern" in str(err.value)


def test_manifest_paths_relative_and_unused(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,country,kind\na.txt,KAZ,news\nmissing.txt,KGZ,news\n", encoding="utf-8")
    loaded = Manifest(manifest, tmp_path)
    assert loaded.lookup(tmp_path / "a.txt") == {"country": "KAZ", "kind": "news"}
    assert loaded.unused() == [str((tmp_path / "missing.txt").resolve())]


def test_manifest_errors(tmp_path):
    with pytest.raises(UsageError, match="Manifest not found"):
        Manifest(tmp_path / "nope.csv", tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\na.txt,KAZ\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no 'path' or 'file' column \\(columns: name, country\\)"):
        Manifest(bad, tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("path,country\n", encoding="utf-8")
    with pytest.raises(UsageError, match="has no rows"):
        Manifest(empty, tmp_path)
