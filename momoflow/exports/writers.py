"""Each format from a ``tables.Table``, written to a path, reading the rows once as they come.

- CSV: ``momoflow.csvfiles`` (formula-looking cells defused, UTF-8 with a byte order mark);
- Excel: openpyxl's write-only workbook (rows go to disk as they are added), a Summary
  sheet and a Rows sheet, numbers and dates as real cells;
- PDF: ReportLab, the summary, each chart, then the rows up to ``PDF_MAX_ROWS`` (a PDF of
  100,000 rows helps nobody: it says how many it left out and where to find them all).
"""

from datetime import datetime, timezone
from itertools import islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from momoflow.csvfiles import csv_lines, safe_cell

PDF_MAX_ROWS = 1000
MARGIN = 12 * mm
PAGE_WIDTH = landscape(A4)[0] - 2 * MARGIN  # what a table may take
SERIES_COLOURS = [colors.HexColor(value) for value in ("#4338ca", "#166534", "#b42318", "#8a4b00")]


def write(table, export_format, path):
    """Write ``table`` as ``export_format`` (``models.ExportFormat``) to ``path``; the number of rows."""
    return {"csv": write_csv, "excel": write_xlsx, "pdf": write_pdf}[export_format](table, path)


class _Counted:
    """Counts the rows a writer takes, however it iterates them."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def _cells(table, row):
    return [row.get(key) for key, _ in table.columns]


def _csv_value(value):
    """Moments as ISO 8601 in UTC (``2024-10-25T15:30:00Z``), the API's own way."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def write_csv(table, path):
    rows = _Counted(table.rows)
    with open(path, "w", encoding="utf-8", newline="") as file:
        cells = ([_csv_value(value) for value in _cells(table, row)] for row in rows)
        for chunk in csv_lines([heading for _, heading in table.columns], cells):
            file.write(chunk)
    return rows.count


def write_xlsx(table, path):
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def heading(sheet, text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    summary = workbook.create_sheet("Summary")
    summary.append([heading(summary, table.title)])
    for line in table.subtitle:
        summary.append([line])
    summary.append([])
    for label, value in table.summary:
        summary.append([label, _excel_value(value)])
    sheet = workbook.create_sheet("Rows")
    sheet.freeze_panes = "A2"
    sheet.append([heading(sheet, text) for _, text in table.columns])
    rows = _Counted(table.rows)
    for row in rows:
        sheet.append([_excel_value(value) for value in _cells(table, row)])
    workbook.save(path)
    return rows.count


def _excel_value(value):
    """Numbers and moments as Excel's own (without a zone, which Excel cannot keep: all UTC);
    text defused like the CSV's."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return safe_cell(value) if isinstance(value, str) else value


def write_pdf(table, path):
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(table.title), styles["Title"])]
    story += [Paragraph(escape(line), styles["Normal"]) for line in table.subtitle]
    if table.summary:
        story += [Spacer(1, 4 * mm), _summary_grid(table.summary)]
    for chart in table.charts:
        story += [Spacer(1, 6 * mm), _drawing(chart)]
    rows = _Counted(table.rows)
    remaining = iter(rows)
    shown = [[_pdf_text(value) for value in _cells(table, row)] for row in islice(remaining, PDF_MAX_ROWS)]
    if table.total_rows is None:
        for _ in remaining:  # counted, not drawn
            pass
    story.append(Spacer(1, 6 * mm))
    if shown:
        story.append(_rows_grid([heading for _, heading in table.columns], shown))
    else:
        story.append(Paragraph("No rows.", styles["Normal"]))
    total = table.total_rows if table.total_rows is not None else rows.count
    if total > len(shown):
        story.append(Paragraph(f"First {len(shown):,} of {total:,} rows: download the CSV or Excel file for all "
                               "of them.", styles["Italic"]))
    document = SimpleDocTemplate(str(path), pagesize=landscape(A4), title=table.title, author="MomoFlow",
                                 leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    document.build(story)
    return total


def _pdf_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _rows_grid(headings, rows):
    """The rows as a table as wide as the page, each cell wrapping its text, the heading
    repeated on every page."""
    style = getSampleStyleSheet()["BodyText"].clone("cell", fontName="Helvetica", fontSize=7, leading=8.5)
    bold = style.clone("heading", fontName="Helvetica-Bold")
    data = [[Paragraph(escape(text), bold) for text in headings],
            *([Paragraph(escape(text), style) for text in row] for row in rows)]
    grid = LongTable(data, repeatRows=1, colWidths=[PAGE_WIDTH / len(headings)] * len(headings))
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    return grid


def _summary_grid(pairs):
    grid = Table([[label, str(value)] for label, value in pairs], hAlign="LEFT")
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8),
                              ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    return grid


def _drawing(chart, width=PAGE_WIDTH, height=70 * mm):
    """A bar or line chart with its title, axis labels and a legend."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=11))
    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 40, 30, width - 200, height - 60
    plot.data = [[float(value or 0) for value in values] for _, values in chart.series]
    plot.categoryAxis.categoryNames = [str(label) for label in chart.labels]
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    for index in range(len(chart.series)):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        if chart.kind == "bar":
            plot.bars[index].fillColor = colour
        else:
            plot.lines[index].strokeColor = colour
            plot.lines[index].strokeWidth = 1.5
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y, legend.fontSize = width - 150, height - 30, 8
    legend.colorNamePairs = [(SERIES_COLOURS[index % len(SERIES_COLOURS)], name)
                             for index, (name, _) in enumerate(chart.series)]
    drawing.add(legend)
    return drawing
