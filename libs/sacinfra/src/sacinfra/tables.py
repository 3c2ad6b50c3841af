"""Writing a table people read (CSV or XLSX) from rows, with bounded memory — the plumbing
every export shares (``spreadsheet`` reads what people fill in; this writes). No domain
rules: each owner says which columns it has, their Spanish headings and how a value
reads (``Column``).

- CSV: UTF-8 with a byte-order mark (so Excel opens accents right), comma separated, CRLF;
  ``CsvEncoder`` encodes page by page, never the whole table at once; a text cell that
  starts like a formula gets a leading «'» (OWASP CSV injection).
- XLSX: XlsxWriter in ``constant_memory`` mode flushes every row to a temporary file as
  it is written (measured, 100,000 rows × 16 columns: XlsxWriter 12 s and 22 MiB peak RSS,
  openpyxl's write-only mode 16 s and 40 MiB); cells are written with their type
  (``write_string`` for text, so a value starting with ``=`` is never a formula) and
  times in the municipality's zone (``SAC_TIMEZONE``).
- ``file_answer``: a finished file as an RPC answers it (JSON: bytes travel base64).

Stdlib and XlsxWriter only: the asyncio gateway may import it too."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from .settings import municipal_tz
from .spreadsheet import FORMULA_START

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BOM = "\ufeff"
#: a text cell starting with one of these is read as a formula (or reshaped) by spreadsheets
FORMULA_OR_BLANK_START = FORMULA_START + ("\t", "\r")
#: Excel's limit is 1,048,576 rows including the heading
MAX_XLSX_ROWS = 1_048_575


def local_datetime(value: Any) -> dt.datetime | None:
    """An ISO 8601 string (or datetime) as a naive datetime in the municipality's zone
    (what a spreadsheet cell holds); naive input is taken as UTC."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(municipal_tz()).replace(tzinfo=None)


def format_datetime(value: Any) -> str:
    """``2026-09-26 14:05`` in the municipality's zone ('' when empty): unambiguous, and
    Excel reads it as a date in any locale."""
    moment = local_datetime(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def safe_text(value: str) -> str:
    """A text cell starting like a formula gets a leading apostrophe, so a street called
    ``=HYPERLINK(…)`` stays text."""
    return "'" + value if value.startswith(FORMULA_OR_BLANK_START) else value


@dataclass(frozen=True)
class Column:
    key: str            # field of the row
    heading: str        # what the person reads
    kind: str = "text"  # text | int | float | datetime
    convert: Callable[[Any], Any] | None = None
    citizen: bool = False  # personal data (an owner may drop these columns)
    width: int = 14        # XLSX column width (characters)

    def value(self, row: dict) -> Any:
        value = row.get(self.key)
        return self.convert(value) if self.convert is not None else value

    def text(self, row: dict) -> str:
        """The cell as text (CSV, PDF)."""
        value = self.value(row)
        if value is None:
            return ""
        return format_datetime(value) if self.kind == "datetime" else str(value)


def code_labels(table: dict[str, str]) -> Callable[[Any], str]:
    """A ``Column.convert`` turning a stored code into the words people read: ``table``'s
    label for it (codes compared in lower case), the code itself when unknown, "" for none."""
    return lambda value: "" if value is None else table.get(str(value).lower(), str(value))


def headings(columns: list[Column]) -> list[str]:
    return [c.heading for c in columns]


def inferred_columns(rows: list[dict], headings_by_key: dict[str, str]) -> list[Column]:
    """The columns of rows whose shape is not declared (a statistics table): every scalar
    key in order of appearance, typed from its values, headed from ``headings_by_key``."""
    keys = list(dict.fromkeys(k for r in rows for k, v in r.items() if not isinstance(v, (dict, list))))

    def kind(k):
        values = [r.get(k) for r in rows]
        if any(isinstance(v, float) for v in values):
            return "float"
        return "int" if all(isinstance(v, (int, type(None))) and not isinstance(v, bool) for v in values) else "text"
    return [Column(k, headings_by_key.get(k, k), kind(k)) for k in keys]


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
        cols, write = self.columns, self._writer.writerow
        for row in rows:
            write([safe_text(v) if c.kind == "text" else v for c in cols for v in (c.text(row),)])
        return self._take()


def iter_csv(columns: list[Column], pages: Iterable[Iterable[dict]]) -> Iterator[bytes]:
    """The whole CSV as chunks, one per page of rows."""
    enc = CsvEncoder(columns)
    yield enc.header()
    for page in pages:
        chunk = enc.rows(page)
        if chunk:
            yield chunk


def csv_table(columns: list[Column], rows: Iterable[dict]) -> bytes:
    return b"".join(iter_csv(columns, [rows]))


class XlsxExport:
    """``write_rows(page)`` for every page (rows in order), then ``close()`` → path of the
    finished temporary file (the caller reads and ``remove``s it). Not thread-safe."""

    def __init__(self, columns: list[Column], title: str = "Consulta de reportes", tmpdir: str | None = None,
                 sheet: str = "Reportes"):
        import xlsxwriter

        self.columns = columns
        fd, self.path = tempfile.mkstemp(prefix="sac-export-", suffix=".xlsx", dir=tmpdir)
        os.close(fd)
        self.book = xlsxwriter.Workbook(self.path, {"constant_memory": True, "tmpdir": tmpdir or tempfile.gettempdir(),
                                                    "in_memory": False})
        self.book.set_properties({"title": title, "author": "SAC — Sistema de Atención Ciudadana"})
        self.sheet = self.book.add_worksheet(sheet)
        bold = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self._date = self.book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        for i, col in enumerate(columns):
            self.sheet.set_column(i, i, col.width)
        self.sheet.write_row(0, 0, headings(columns), bold)
        self.sheet.freeze_panes(1, 0)
        self._writers = [self._cell_writer(c) for c in columns]
        self.rows_written = 0

    def _cell_writer(self, column: Column) -> Callable[[int, int, Any], Any]:
        sheet, date = self.sheet, self._date
        if column.kind == "datetime":
            def write(r, c, v):
                moment = local_datetime(v)
                if moment is not None:
                    sheet.write_datetime(r, c, moment, date)
            return write
        if column.kind in ("int", "float"):
            def write(r, c, v):
                if v not in (None, ""):
                    try:
                        sheet.write_number(r, c, float(v) if column.kind == "float" else int(v))
                    except (TypeError, ValueError):
                        sheet.write_string(r, c, str(v))
            return write

        def write(r, c, v):
            if v not in (None, ""):
                sheet.write_string(r, c, str(v))
        return write

    def write_rows(self, rows: Iterable[dict]) -> int:
        cols, writers = self.columns, self._writers
        n = self.rows_written
        for row in rows:
            if n >= MAX_XLSX_ROWS:
                raise OverflowError(f"Una hoja de Excel admite a lo más {MAX_XLSX_ROWS:,} filas.")
            n += 1
            for i, (col, write) in enumerate(zip(cols, writers)):
                write(n, i, col.value(row))
        self.rows_written = n
        return n

    def close(self) -> str:
        if self.rows_written:
            self.sheet.autofilter(0, 0, self.rows_written, len(self.columns) - 1)
        self.book.close()
        return self.path

    def discard(self) -> None:
        """Give up (an error mid-export): close quietly and remove the file."""
        try:
            self.book.close()
        except Exception:  # already closed, or the error was in the book itself
            pass
        remove(self.path)


def remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def iter_file(path: str, chunk: int = 64 * 1024, delete: bool = True) -> Iterator[bytes]:
    """The file in chunks; removed at the end (or when the consumer stops early)."""
    try:
        with open(path, "rb") as fh:
            while data := fh.read(chunk):
                yield data
    finally:
        if delete:
            remove(path)


def write_xlsx(columns: list[Column], pages: Iterable[Iterable[dict]], tmpdir: str | None = None,
               title: str = "Consulta de reportes") -> str:
    """Every page into one workbook; the path of the finished temporary file."""
    export = XlsxExport(columns, title, tmpdir=tmpdir)
    try:
        for page in pages:
            export.write_rows(page)
        return export.close()
    except BaseException:
        export.discard()
        raise


def xlsx_table(columns: list[Column], pages: Iterable[Iterable[dict]], title: str = "Consulta de reportes") -> bytes:
    """The workbook's bytes (the temporary file is removed)."""
    return b"".join(iter_file(write_xlsx(columns, pages, title=title)))


def table_file(columns: list[Column], rows: list[dict], fmt: str, filename: str, title: str = "Tabla") -> dict:
    """Rows as a CSV or XLSX file (``fmt``) as an RPC answers it (``file_answer``)."""
    content = csv_table(columns, rows) if fmt == "csv" else xlsx_table(columns, [rows], title=title)
    return file_answer(content, fmt, f"{filename}.{fmt}")


def file_answer(content: bytes, fmt: str, filename: str, **extra) -> dict:
    """``{content_b64, media_type, filename, …}``: a file over nameko RPC (JSON)."""
    return {"content_b64": base64.b64encode(content).decode("ascii"), "media_type": MEDIA_TYPES[fmt],
            "filename": filename} | extra
