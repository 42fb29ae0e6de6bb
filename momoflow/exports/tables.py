"""What an export kind builds and every writer reads: a titled table with a summary and
charts. ``rows`` may be a generator over the database: writers read it once, in order,
and never hold it all."""

from dataclasses import dataclass, field
from typing import Callable, Iterable


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    title: str
    labels: list
    series: list  # [(name, [number per label])]


@dataclass
class Table:
    title: str
    file_stem: str  # the download's name without extension, e.g. "customer-onboarding-report-2026-12-04"
    columns: list  # [(key, heading)]
    rows: Iterable  # dicts keyed by the columns' keys
    subtitle: list = field(default_factory=list)  # lines under the title
    summary: list = field(default_factory=list)  # [(label, value)]
    charts: list = field(default_factory=list)
    total_rows: int | None = None  # known up front: the PDF says how many it left out


KINDS: dict[str, Callable] = {}


def register(kind):
    """``@register("flow_report")`` on a function ``(export) -> Table``."""
    def decorate(build):
        KINDS[kind] = build
        return build
    return decorate
