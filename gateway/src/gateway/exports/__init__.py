"""Files over HTTP: what a service rendered (``service_file``: base64 in its RPC answer)
or chunks as they come. The gateway writes no table itself: report exports and work
orders are rendered by routing, the statistics' files by stats, the surveys' answers by
surveys, the directory's statistics by directory."""
from __future__ import annotations

import base64

from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from sacinfra.tables import MEDIA_TYPES, iter_file, remove

from ..uploads import content_disposition

__all__ = ["MEDIA_TYPES", "download", "service_file"]


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
