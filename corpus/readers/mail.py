"""E-mail messages (.eml, RFC 5322) with Python's email package: the headers become metadata,
the text/plain body (or the HTML one, as text) is the document, and attachments are listed by
name, type and size but never decoded as text."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from stancemap.corpus.document import RawDocument, normalise
from stancemap.errors import Errors, FileProblem

HEADERS = {"from": "from", "to": "to", "cc": "cc", "subject": "subject",
           "message-id": "message_id", "in-reply-to": "in_reply_to"}


def looks_like_email(head: bytes) -> bool:
    """RFC 5322 headers at the start: a From/Received/Return-Path line and a MIME or Subject one."""
    lines = head[:4096].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower().split(b"\n")
    names = {line.split(b":", 1)[0] for line in lines if b":" in line and not line[:1].isspace()}
    return bool(names & {b"from", b"received", b"return-path"}) and \
        bool(names & {b"mime-version", b"subject", b"message-id"})


def _header(message, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header is no reason to lose the text
        value = message.get_all(name, failobj=[None])[0]
    value = " ".join(str(value).split()) if value is not None else ""
    return value or None


def _attachments(message) -> list[dict]:
    found = []
    for part in message.iter_attachments() if message.is_multipart() else []:
        payload = part.get_payload(decode=True) or b""
        found.append({"name": part.get_filename() or "(unnamed)",
                      "type": part.get_content_type(), "bytes": len(payload)})
    return found


def read_email(path: Path, options: dict) -> list[RawDocument]:
    from stancemap.corpus.readers.html import html_text

    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    body = message.get_body(preferencelist=("plain", "html"))
    text, warnings = "", []
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeError, ValueError) as err:  # unknown or wrong charset
            payload = body.get_payload(decode=True) or b""
            content = payload.decode("utf-8", "replace")
            warnings.append(f"body charset could not be used ({err}); decoded as UTF-8")
        if body.get_content_type() == "text/html":
            content = html_text(content)[0]
        text = normalise(content)
    attachments = _attachments(message)
    if not text:
        listed = f" (attachments: {', '.join(a['name'] for a in attachments)})" if attachments else ""
        raise FileProblem("skipped", Errors.R_EMAIL_NO_TEXT.format(listed=listed))
    meta = {key: value for name, key in HEADERS.items() if (value := _header(message, name))}
    if attachments:
        meta["attachments"] = attachments
        warnings.append(f"{len(attachments)} attachment(s) listed, not read: "
                        + ", ".join(a["name"] for a in attachments[:10]))
    date = None
    if _header(message, "date"):
        try:
            date = parsedate_to_datetime(_header(message, "date")).date().isoformat()
        except (TypeError, ValueError):
            warnings.append(f"unreadable Date header {_header(message, 'date')!r}")
    return [RawDocument(text=text, title=meta.get("subject"), date=date, kind=None, meta=meta,
                        warnings=warnings)]
