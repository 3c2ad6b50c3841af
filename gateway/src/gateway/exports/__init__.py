"""Files over HTTP: what a service rendered (``service_file``: base64 in its RPC answer),
chunks as they come, or a table the gateway writes itself (a few screens still do, with
``sacinfra.tables``' writers). Report exports and work orders are rendered by routing;
the statistics' files by stats."""
from __future__ import annotations

import asyncio
import base64
from typing import AsyncIterator

from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from sacinfra.tables import MEDIA_TYPES, Column, XlsxExport, iter_csv, iter_file, remove, write_xlsx

from ..uploads import content_disposition

__all__ = ["MEDIA_TYPES", "Column", "build_xlsx", "download", "service_file", "table_download"]


async def build_xlsx(columns: list[Column], pages: AsyncIterator[list[dict]], tmpdir: str | None = None,
                     title: str = "Consulta de reportes") -> tuple[str, int]:
    """The workbook as a temporary file: ``(path, rows)``; the caller streams and removes
    it (``download(path=…)``). On error the file is removed and the error raised."""
    export = await asyncio.to_thread(XlsxExport, columns, title, tmpdir)
    try:
        async for page in pages:
            await asyncio.to_thread(export.write_rows, page)
        path = await asyncio.to_thread(export.close)
    except BaseException:
        await asyncio.to_thread(export.discard)
        raise
    return path, export.rows_written


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


def service_file(out: dict, filename: str | None = None, **kwargs) -> StreamingResponse:
    """A file a service rendered: ``{content_b64, media_type | content_type, filename}``."""
    return download(base64.b64decode(out["content_b64"]), out.get("media_type") or out["content_type"],
                    filename or out["filename"], **kwargs)


async def table_download(columns: list[Column], rows: list[dict], fmt: str, filename: str) -> StreamingResponse:
    """Rows as CSV or XLSX (``fmt``), headed by ``columns``."""
    if fmt == "csv":
        return download(iter_csv(columns, [rows]), MEDIA_TYPES["csv"], filename)
    return download(None, MEDIA_TYPES["xlsx"], filename, path=await asyncio.to_thread(write_xlsx, columns, [rows]))
