"""From routing's keyset pages to a finished export, without holding it in memory.

``call(service, method, *args)`` is the gateway's RPC call (``app.state.call``), or any
awaitable with its shape (the bench passes one that runs routing's query functions on
PostgreSQL in a thread). The next page is fetched while the current one is written, and
the CPU work of encoding runs in a worker thread so the event loop keeps serving."""
from __future__ import annotations

import asyncio
import base64
from typing import Any, AsyncIterator, Awaitable, Callable

from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from ..uploads import content_disposition
from .columns import Column
from .csv_writer import CsvEncoder, iter_csv
from .xlsx_writer import XlsxExport, iter_file, remove, write_xlsx

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


# --------------------------------------------------------------------------- answers

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download(body, media_type: str, filename: str, *, path: str | None = None, disposition: str = "attachment",
             headers: dict | None = None) -> StreamingResponse:
    """A file to keep: ``body`` (bytes, or chunks as it is produced) or the temporary file
    ``path`` (streamed, then removed however the client ends), never cached or sniffed."""
    if path is not None:
        body = iter_file(path)
    elif isinstance(body, bytes):
        body, headers = iter([body]), {"Content-Length": str(len(body))} | (headers or {})
    return StreamingResponse(body, media_type=media_type, background=BackgroundTask(remove, path) if path else None,
                             headers={"Content-Disposition": f'{disposition}; filename="{filename}"'
                                      if filename.isascii() else content_disposition(filename, disposition),
                                      "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
                             | (headers or {}))


def service_file(out: dict, **kwargs) -> StreamingResponse:
    """A file a service rendered: ``{content_b64, media_type | content_type, filename}``."""
    return download(base64.b64decode(out["content_b64"]), out.get("media_type") or out["content_type"],
                    out["filename"], **kwargs)


async def table_download(columns: list[Column], rows: list[dict], fmt: str, filename: str) -> StreamingResponse:
    """Rows as CSV or XLSX (``fmt``), headed by ``columns``."""
    if fmt == "csv":
        return download(iter_csv(columns, [rows]), MEDIA_TYPES["csv"], filename)
    return download(None, MEDIA_TYPES["xlsx"], filename, path=await asyncio.to_thread(write_xlsx, columns, [rows]))
