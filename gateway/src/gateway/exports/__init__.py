"""Exports of the "Consultas y reportes" query (XLSX, CSV) and work orders (PDF).

The writers take pages of rows (routing's ``export_reports`` answers, with the citizen
columns ``reports_query.attach_citizens`` fills) and never hold a whole export in memory:
CSV is encoded page by page as it is sent; XLSX goes through XlsxWriter's
``constant_memory`` mode into a temporary file that is then streamed and removed; a batch
of work orders is at most ``MAX_BATCH`` reports."""
from .columns import COLUMNS, Column, columns_for, format_datetime, headings, local_datetime
from .csv_writer import CsvEncoder, aiter_csv, iter_csv
from .pipeline import MEDIA_TYPES, download, service_file, table_download
from .workorder import MAX_BATCH, WorkOrder, qr_matrix, tracking_url, work_orders_pdf, write_work_orders
from .xlsx_writer import XlsxExport, iter_file, write_xlsx

__all__ = ["COLUMNS", "Column", "CsvEncoder", "MAX_BATCH", "MEDIA_TYPES", "download", "service_file", "table_download", "WorkOrder", "XlsxExport", "aiter_csv", "columns_for",
           "format_datetime", "headings", "iter_csv", "iter_file", "local_datetime",
           "qr_matrix", "tracking_url", "work_orders_pdf", "write_work_orders", "write_xlsx"]
