"""Streaming CSV: UTF-8 with a byte-order mark (so Excel opens accents right), comma
separated, Spanish headings; rows are encoded page by page, never held all at once."""
from __future__ import annotations

import csv
import io
from typing import AsyncIterable, AsyncIterator, Iterable, Iterator

from .columns import Column, headings, text_value

BOM = "\ufeff"
#: a text cell that starts with one of these is read as a formula by spreadsheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise CSV/formula injection: a text cell starting like a formula gets a
    leading apostrophe (OWASP), so a street called ``=HYPERLINK(…)`` stays text."""
    return "'" + value if value.startswith(FORMULA_START) else value


class CsvEncoder:
    """``header()`` once, then ``rows(page)`` for every page: bytes to send."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def _take(self) -> bytes:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return data

    def header(self) -> bytes:
        self._buffer.write(BOM)
        self._writer.writerow(headings(self.columns))
        return self._take()

    def rows(self, rows: Iterable[dict]) -> bytes:
        cols = self.columns
        write = self._writer.writerow
        for row in rows:
            write([safe_text(v) if c.kind == "text" else v for c in cols for v in (text_value(c, row),)])
        return self._take()


def iter_csv(columns: list[Column], pages: Iterable[Iterable[dict]]) -> Iterator[bytes]:
    """The whole CSV as chunks, one per page of rows."""
    enc = CsvEncoder(columns)
    yield enc.header()
    for page in pages:
        chunk = enc.rows(page)
        if chunk:
            yield chunk


async def aiter_csv(columns: list[Column], pages: AsyncIterable[list[dict]]) -> AsyncIterator[bytes]:
    enc = CsvEncoder(columns)
    yield enc.header()
    async for page in pages:
        chunk = enc.rows(page)
        if chunk:
            yield chunk
