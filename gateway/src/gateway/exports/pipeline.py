"""From routing's keyset pages to a finished export, without holding it in memory.

``call(service, method, *args)`` is the gateway's RPC call (``app.state.call``), or any
awaitable with its shape (the bench passes one that runs routing's query functions on
PostgreSQL in a thread). The next page is fetched while the current one is written, and
the CPU work of encoding runs in a worker thread so the event loop keeps serving."""
from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable

from .columns import Column
from .csv_writer import CsvEncoder
from .xlsx_writer import XlsxExport

Call = Callable[..., Awaitable[Any]]
Enrich = Callable[[list[dict]], Awaitable[list[dict]]]

#: rows per routing call (routing allows up to 5,000)
PAGE_SIZE = 2000


async def export_pages(call: Call, actor: dict | None, filters: dict, page_size: int = PAGE_SIZE,
                       enrich: Enrich | None = None) -> AsyncIterator[list[dict]]:
    """Every matching row, in folio order, page by page (``routing.export_reports``),
    with one page fetched ahead; ``enrich`` (e.g. the citizen columns) runs on each page."""
    fetch = asyncio.ensure_future(call("routing", "export_reports", actor, filters, None, page_size))
    try:
        while fetch is not None:
            out = await fetch
            after = out.get("next_after")
            fetch = (asyncio.ensure_future(call("routing", "export_reports", actor, filters, after, page_size))
                     if after is not None else None)
            items = out.get("items") or []
            if items:
                yield (await enrich(items)) if enrich is not None else items
    finally:
        if fetch is not None and not fetch.done():
            fetch.cancel()


async def build_xlsx(columns: list[Column], pages: AsyncIterator[list[dict]], tmpdir: str | None = None,
                     title: str = "Consulta de reportes") -> tuple[str, int]:
    """The workbook as a temporary file: ``(path, rows)``; the caller streams and removes
    it (``xlsx_writer.iter_file``). On error the file is removed and the error raised."""
    export = await asyncio.to_thread(XlsxExport, columns, title, tmpdir)
    try:
        async for page in pages:
            await asyncio.to_thread(export.write_rows, page)
        path = await asyncio.to_thread(export.close)
    except BaseException:
        await asyncio.to_thread(export.discard)
        raise
    return path, export.rows_written


class CsvStream:
    """The CSV as an async iterator of chunks (one per page, encoded in a worker thread);
    ``rows`` counts what was sent, ``complete`` tells whether the end was reached."""

    def __init__(self, columns: list[Column], pages: AsyncIterator[list[dict]]):
        self.encoder = CsvEncoder(columns)
        self.pages = pages
        self.rows = 0
        self.complete = False

    async def __aiter__(self):
        yield self.encoder.header()
        async for page in self.pages:
            chunk = await asyncio.to_thread(self.encoder.rows, page)
            self.rows += len(page)
            yield chunk
        self.complete = True
