import codecs

import pytest

from conftest import DATA, HOSTILE, needs_shared
from stancemap.corpus.encoding import decode

RUSSIAN = "Сотрудничество с Китаем в сфере транспорта приносит новые рабочие места, но растёт долг."
UDHR_KK = "Барлық адамдар тумысынан азат және қадір-қасиеті мен құқықтары тең болып дүниеге келеді."


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-32-be", codecs.BOM_UTF32_BE), ("utf-16-le", b""), ("utf-16-be", b""),
    ("utf-32-le", b""),
])
def test_unicode_with_and_without_bom(encoding, bom):
    text, found = decode(bom + (RUSSIAN + " " + UDHR_KK).encode(encoding))
    assert text == RUSSIAN + " " + UDHR_KK
    assert found.replace("-sig", "") == encoding


@pytest.mark.parametrize("name,encoding", [("ru_cp1251.txt", "cp1251"), ("ru_koi8r.txt", "koi8_r")])
def test_cyrillic_code_pages(name, encoding):
    text, found = decode((DATA / name).read_bytes())
    assert found == encoding
    assert text.startswith("Сотрудничество с Китаем")


def test_western_code_page():
    text, found = decode((DATA / "fr_cp1252.txt").read_bytes())
    assert "Coopération" in text and "l'été" in text
    assert found in ("cp1252", "iso8859_2") and text.encode(found)


@needs_shared
@pytest.mark.parametrize("name", ["fake-text-utf-16-be.txt", "fake-text-utf-32.txt"])
def test_real_utf16_utf32_files(name):
    text, found = decode((HOSTILE / "unstructured" / name).read_bytes())
    assert found.startswith(("utf-16", "utf-32"))
    assert "This is a test document" in text
