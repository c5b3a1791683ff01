"""CSV that Excel opens cleanly, produced as a stream.

UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake), CRLF line ends, and every
text cell through followups.rules.excel_safe so a name like "=HYPERLINK(…)" stays text. Numbers we
produce ourselves are written as plain numbers (a "-3" days-left must stay a number). Rows are
buffered into chunks of about 64 kB so a million-row export is a few hundred writes, not a million.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from ..followups.rules import excel_safe

BOM = "\ufeff"
CHUNK_CHARS = 64 * 1024


class Cell(str):
    """A cell value that is already safe (a number or date we formatted): not neutralised."""


def safe(value) -> str:
    return value if isinstance(value, Cell) else excel_safe(value)


def csv_chunks(rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text in chunks, starting with the byte-order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe(value) for value in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
