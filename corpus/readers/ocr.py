"""OCR with Tesseract (through pytesseract) for scanned pages and image files.

Tesseract's own layout analysis gives blocks and paragraphs; each recognised word carries a
confidence (0–100), and a page's confidence is the mean over its words — what the run log and
the low-confidence report show."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from stancemap.corpus.document import RawDocument, TextBuilder
from stancemap.errors import Errors, FileProblem

# ISO 639-1 codes of ingest.languages → Tesseract's traineddata names
TESSERACT_LANGUAGES = {
    "en": ["eng"], "ru": ["rus"], "kk": ["kaz"], "uz": ["uzb", "uzb_cyrl"], "ky": ["kir"],
    "tg": ["tgk"], "zh": ["chi_sim"], "uk": ["ukr"], "mn": ["mon"], "tr": ["tur"],
    "az": ["aze"], "fa": ["fas"], "ar": ["ara"], "de": ["deu"], "fr": ["fra"], "es": ["spa"],
    "ja": ["jpn"], "ko": ["kor"], "tk": ["tuk"],
}
# Tesseract's script detection (OSD) names → the packs that write that script; a page is
# recognised only with the configured packs of its script (all of them at once is slow and
# worse: Chinese models read Latin noise into Han characters)
SCRIPT_PACKS = {
    "Latin": {"eng", "uzb", "tur", "aze", "deu", "fra", "spa", "tuk"},
    "Cyrillic": {"rus", "kaz", "kir", "tgk", "uzb_cyrl", "ukr", "mon"},
    "Han": {"chi_sim", "chi_tra"}, "HanS": {"chi_sim"}, "HanT": {"chi_tra"},
    "Japanese": {"jpn"}, "Hangul": {"kor"}, "Korean": {"kor"}, "Arabic": {"ara", "fas"},
}
OCR_DPI = 300
# Tesseract cannot read an image wider or taller than this (pixels); larger pages are scaled down
MAX_SIDE = 10000


@dataclass
class OcrPage:
    text: str
    confidence: float | None  # mean word confidence, 0–100; None when no word was found
    languages: str = ""  # the packs this page was read with


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The traineddata packs Tesseract has; empty when Tesseract is not installed."""
    if shutil.which("tesseract") is None:
        return frozenset()
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except Exception:  # noqa: BLE001 - a broken installation counts as none
        return frozenset()


def ocr_languages(options: dict) -> str:
    """The `-l` argument: ingest.ocr_languages if given, else the packs for ingest.languages
    that are installed. Raises FileProblem when Tesseract or every wanted pack is missing."""
    have = installed_languages()
    if not have:
        raise FileProblem("failed", Errors.E260)
    wanted = options.get("ocr_languages") or [
        pack for lang in options.get("languages") or ["en"]
        for pack in TESSERACT_LANGUAGES.get(lang, [])]
    usable = [pack for pack in dict.fromkeys(wanted) if pack in have]
    if not usable:
        raise FileProblem("failed", Errors.E261.format(wanted="+".join(wanted) or "none",
                                                       have=", ".join(sorted(have))))
    return "+".join(usable)


def ocr_image(image, languages: str, timeout_s: float = 0) -> OcrPage:
    """Recognise one page image (a PIL image): text in Tesseract's block/paragraph/line
    order, paragraphs separated by blank lines, and the mean word confidence."""
    import pytesseract

    if max(image.size) > MAX_SIDE:
        scale = MAX_SIDE / max(image.size)
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    languages = page_languages(image, languages)
    data = pytesseract.image_to_data(image, lang=languages, config="--psm 3",
                                     output_type=pytesseract.Output.DICT, timeout=timeout_s)
    paragraphs: dict[tuple[int, int], dict[int, list[str]]] = {}
    confidences: list[float] = []
    for index, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][index])
        if not word or conf < 0:
            continue
        confidences.append(conf)
        key = (data["block_num"][index], data["par_num"][index])
        paragraphs.setdefault(key, {}).setdefault(data["line_num"][index], []).append(word)
    text = "\n\n".join("\n".join(" ".join(words) for _, words in sorted(lines.items()))
                       for _, lines in sorted(paragraphs.items()))
    return OcrPage(text, round(sum(confidences) / len(confidences), 1) if confidences else None,
                   languages)


def page_languages(image, languages: str) -> str:
    """The packs of `languages` ("eng+rus+chi_sim") that write the page's script, by
    Tesseract's script detection; all of them when the packs share one script or OSD cannot
    tell (too little text)."""
    import pytesseract

    packs = languages.split("+")
    scripts = {script for script, members in SCRIPT_PACKS.items() if members & set(packs)}
    if len(scripts) < 2 or "osd" not in installed_languages():
        return languages
    small = image.resize((max(1, image.width // 2), max(1, image.height // 2)))
    try:
        found = pytesseract.image_to_osd(small, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return languages
    chosen = [p for p in packs if p in SCRIPT_PACKS.get(found.get("script", ""), set())]
    return "+".join(chosen) or languages


def read_image(path: Path, options: dict) -> list[RawDocument]:
    """A scanned page (PNG, JPEG, TIFF — every frame of a multi-page TIFF) read by OCR."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if options.get("ocr", "auto") == "off":
        raise FileProblem("unsupported", Errors.R_UNSUPPORTED.format(
            what="image file, and OCR is off (ingest.ocr = \"off\")"))
    languages = ocr_languages(options)
    try:
        image = Image.open(path)
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError as err:
        raise FileProblem("failed", Errors.E262.format(reason="truncated or corrupt")) from err
    except (OSError, ValueError) as err:
        raise FileProblem("failed", Errors.E262.format(reason=f"{type(err).__name__}: {err}")) from err
    builder, pages, page_info = TextBuilder(), [], []
    for number, frame in enumerate(frames, start=1):
        page = ocr_image(frame, languages, options.get("ocr_timeout_s", 0))
        pages.append(builder.length + (2 if builder.length else 0))
        if builder.add(page.text) is None:
            pages[-1] = builder.length
        page_info.append({"page": number, "reader": "tesseract", "ocr": True,
                          "confidence": page.confidence, "languages": page.languages})
    text = builder.text()
    if not text:
        raise FileProblem("failed", Errors.E263.format(pages=len(frames)))
    return [RawDocument(text=text, pages=pages, page_info=page_info,
                        warnings=low_confidence_warnings(page_info, options),
                        meta={"ocr_languages": languages})]


def low_confidence_pages(page_info: list[dict], options: dict) -> list[int]:
    limit = options.get("ocr_min_confidence", 60.0)
    return [p["page"] for p in page_info if p.get("ocr") and (p.get("confidence") or 0) < limit]


def low_confidence_warnings(page_info: list[dict], options: dict) -> list[str]:
    low = low_confidence_pages(page_info, options)
    if not low:
        return []
    listed = ", ".join(map(str, low[:20])) + (" …" if len(low) > 20 else "")
    return [Errors.E264.format(count=len(low), limit=options.get("ocr_min_confidence", 60.0),
                               pages=listed)]
