import csv
import io

from openpyxl import load_workbook


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_numbers(response) -> list[str]:
    content = b"".join(response.streaming_content)
    rows = csv_rows(content) if response["Content-Type"].startswith("text/csv") else xlsx_rows(content)
    return [row[0] for row in rows[1:]]
