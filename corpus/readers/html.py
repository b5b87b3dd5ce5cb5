"""HTML pages: the main text, without scripts, styles, menus and page furniture."""

from __future__ import annotations

import re
from pathlib import Path

from stancemap.corpus.document import RawDocument, TextBuilder
from stancemap.corpus.encoding import decode
from stancemap.errors import Errors, FileProblem

_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "nav", "header",
              "footer", "aside", "form", "button", "select", "menu", "head", "object", "canvas"]
_FURNITURE = re.compile(r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|sidebar|cookies?|footer|header|"
                        r"banner|share|social|subscribe|related|advert|ads?|promo|pagination|"
                        r"skip-link)($|[\s_-])", re.I)
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu"}
_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th",
           "dd", "dt", "figcaption", "caption", "address"]
_AUTHOR_META = {"author", "byl", "dc.creator", "article:author", "sailthru.author"}
_BYLINE = re.compile(r"(^|[\s_-])(byline|author|by-?line)($|[\s_-])", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.I)


def _decode_html(data: bytes) -> tuple[str, str]:
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _is_furniture(tag) -> bool:
    if tag.attrs is None:
        return False
    if (tag.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    if tag.name in ("body", "main", "article"):
        return False
    marks = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    return bool(_FURNITURE.search(marks))


def _text_blocks(root) -> list[str]:
    """Block-level texts in document order; loose text in <div>s counts as a block too."""
    blocks = []
    for node in root.find_all(string=True):
        if not node.strip():
            continue
        parent = node.parent
        block = parent
        while block is not None and block is not root and block.name not in _BLOCKS:
            if block.name in ("div", "section", "article", "main", "body", "table"):
                break
            block = block.parent
        blocks.append((id(block), block, node))
    merged: list[str] = []
    last_id = None
    for block_id, _block, node in blocks:
        piece = " ".join(node.split())
        if block_id == last_id and merged:
            merged[-1] += " " + piece
        else:
            merged.append(piece)
            last_id = block_id
    return merged


def _authors(soup) -> dict[str, str]:
    """Who wrote the page: `author` from <meta name="author"> (or byl, dc.creator,
    article:author when it is not a link), `byline` from byline markup (class or itemprop
    byline/author, rel=author), as metadata the source of the document can come from
    (corpus/byline.py)."""
    found = {}
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or tag.get("property") or "").strip().casefold()
        content = " ".join((tag.get("content") or "").split())
        if name in _AUTHOR_META and content and "://" not in content:
            found.setdefault("author", content[:300])
    for tag in soup.find_all(_is_byline):
        text = " ".join(tag.get_text(" ").split())
        if text:
            found.setdefault("byline", text[:300])
    return found


def _is_byline(tag) -> bool:
    if tag.name == "meta" or tag.attrs is None:
        return False
    marks = " ".join([*(tag.get("class") or []), tag.get("itemprop") or "", *(tag.get("rel") or [])])
    return bool(_BYLINE.search(marks))


def html_text(raw: str) -> tuple[str, str | None, str | None, dict[str, str]]:
    """(main text, title, lang, authors) of an HTML page (also an e-mail's HTML body)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "lxml")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else None
    lang = (soup.html.get("lang") if soup.html else None) or None
    authors = _authors(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_furniture(tag):
            tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    if main is not soup and len(main.get_text(strip=True)) < 200 and soup.body:
        main = soup.body
    builder = TextBuilder()
    for block in _text_blocks(main):
        builder.add(block)
    return builder.text(), title or None, lang, authors


def read_html(path: Path, options: dict) -> list[RawDocument]:
    raw, encoding = _decode_html(path.read_bytes())
    text, title, lang, authors = html_text(raw)
    if not text:
        raise FileProblem("skipped", Errors.R_HTML_NO_TEXT)
    meta = {**({"html_lang": lang} if lang else {}), **authors}
    return [RawDocument(text=text, title=title or None, meta=meta, encoding=encoding)]
