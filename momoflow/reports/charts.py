"""Charts drawn on the server as SVG: no script and no inline style, so the strict CSP holds,
and they print. Every chart is decoration for people who look: the page puts the same
numbers in a table next to it (``aria-hidden`` here, the table is what is read out)."""

from markupsafe import Markup, escape

PRIMARY = "#4338ca"
ACCENT = "#b45309"
GRID = "#dde1ea"
TEXT = "#545b6e"


def _svg(width, height, body, label):
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-hidden="true" '
                  f'focusable="false" preserveAspectRatio="xMidYMid meet"><title>{escape(label)}</title>'
                  f'{body}</svg>')


def _nice_top(value):
    """A round number at or above ``value`` for an axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def trend(points, width=720, height=240):
    """Bars: requests raised per week; line: their average cycle time in hours (right axis)."""
    if not points:
        return Markup("")
    left, right, top, bottom = 44, 52, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    most = _nice_top(max(point.raised for point in points))
    hours = [point.average_cycle / 3600 if point.average_cycle is not None else None for point in points]
    longest = _nice_top(max((value for value in hours if value is not None), default=1))
    slot = plot_w / len(points)
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{GRID}"/>']
    for fraction in (0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
                     f'stroke-dasharray="3 3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
                     f'{most * fraction:g}</text>')
        parts.append(f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" font-size="11" fill="{ACCENT}">'
                     f'{longest * fraction:g}h</text>')
    line = []
    every = max(1, len(points) // 8)  # label at most ~8 weeks
    for index, (point, value) in enumerate(zip(points, hours)):
        x = left + slot * index
        bar_h, bar_w = plot_h * point.raised / most, min(slot * 0.7, 56)
        parts.append(f'<rect x="{x + (slot - bar_w) / 2:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w:.1f}" '
                     f'height="{bar_h:.1f}" fill="{PRIMARY}" rx="2"><title>{escape(point.week)}: {point.raised} '
                     f'raised</title></rect>')
        if index % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 14}" text-anchor="middle" font-size="11" '
                         f'fill="{TEXT}">{escape(point.week[5:])}</text>')
        if value is not None:
            line.append(f"{x + slot / 2:.1f},{top + plot_h * (1 - value / longest):.1f}")
    if line:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{ACCENT}" stroke-width="2.5"/>')
        parts += [f'<circle cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="3" fill="{ACCENT}"/>'
                  for point in line]
    return _svg(width, height, "".join(parts), "Requests raised per week, and their average cycle time")


def bars(items, width=720, bar_height=22, unit="h"):
    """Horizontal bars: ``items`` is ``[(label, value)]``, longest first."""
    if not items:
        return Markup("")
    label_w, pad = 190, 8
    height = len(items) * (bar_height + pad) + pad
    most = _nice_top(max(value for _, value in items))
    plot_w = width - label_w - 70
    parts = []
    for index, (label, value) in enumerate(items):
        y = pad + index * (bar_height + pad)
        length = plot_w * value / most
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{TEXT}">{escape(_short(label))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(length, 1):.1f}" height="{bar_height}" '
                     f'fill="{PRIMARY}" rx="3"/>')
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
                     f'fill="{TEXT}">{value:.1f}{unit}</text>')
    return _svg(width, height, "".join(parts), "Median time to decide per approver")


def _short(text, limit=26):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heat_map(heat, weekdays, width=720):
    """7 rows (Monday first) × 24 hours; the darker, the more decisions; a red edge where
    more than a quarter of them broke their TAT."""
    left, top, cell = 44, 18, (width - 44) / 24
    height = top + 7 * cell + 4
    busiest = heat.busiest or 1
    parts = [f'<text x="{left + hour * cell + cell / 2:.1f}" y="12" text-anchor="middle" font-size="10" '
             f'fill="{TEXT}">{hour}</text>' for hour in range(0, 24, 3)]
    for day in range(7):
        y = top + day * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell * 0.65:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{TEXT}">{weekdays[day]}</text>')
        for hour in range(24):
            count, on_time = heat.cell(day, hour)
            opacity = 0.06 if not count else 0.2 + 0.8 * count / busiest
            late = count and (count - on_time) / count > 0.25
            edge = ' stroke="#b42318" stroke-width="2"' if late else ""
            parts.append(f'<rect x="{left + hour * cell + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2:.1f}" '
                         f'height="{cell - 2:.1f}" fill="{PRIMARY}" fill-opacity="{opacity:.2f}" rx="2"{edge}>'
                         f'<title>{weekdays[day]} {hour:02d}:00: {count} decisions, {on_time} on time</title></rect>')
    return _svg(width, height, "".join(parts), "Decisions by weekday and hour")
