"""Bar charts for the lab analytics and grading health pages, computed on the server and drawn
as inline SVG by `templates/labs/_bars.html` (no JS, no script for the CSP to allow).

The SVG is for the eyes; every chart on those pages has its numbers beside it or a table with
the same numbers. Coordinates are formatted here, so that no locale setting can ever put a
decimal comma into an SVG attribute (as core.skills.charts).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

WIDTH = 320  # about the width it is drawn at on a phone, so that its labels stay legible
HEIGHT = 110
LABEL_HEIGHT = 16  # the row of labels under the bars
GAP = 2


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str  # under the bar; "" for none
    label_x: str
    title: str  # what the bar stands for, in words (a tooltip)
    tone: str = ""  # "bad" draws it in the danger colour


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: str  # y of the axis
    bars: list[Bar]
    label_y: str


def bar_chart(
    values: list[float | None],
    *,
    labels: list[str],
    titles: list[str],
    top: float | None = None,
    tone: str = "",
) -> BarChart:
    """One bar per value (None: no bar), from 0 up to `top` (default: the largest value).
    `labels` go under the bars (use "" to skip some); `titles` say what each bar is."""
    plot = HEIGHT - LABEL_HEIGHT
    top = top or max((v for v in values if v), default=0) or 1
    step = WIDTH / max(len(values), 1)
    bars = []
    for i, value in enumerate(values):
        height = plot * min(value or 0, top) / top
        if value:
            height = max(height, 1.0)  # something to see however small
        bars.append(
            Bar(
                x=f"{i * step + GAP / 2:.1f}",
                y=f"{plot - height:.1f}",
                width=f"{step - GAP:.1f}",
                height=f"{height:.1f}",
                label=labels[i],
                label_x=f"{i * step + step / 2:.1f}",
                title=titles[i],
                tone=tone,
            )
        )
    return BarChart(
        width=WIDTH, height=HEIGHT, baseline=f"{plot:.1f}", bars=bars, label_y=f"{HEIGHT - 3}"
    )


# --- The charts of the two pages --------------------------------------------------------------


def score_histogram(bins) -> BarChart:
    """The score distribution (labs.analytics.ScoreBin): submissions per 10 points."""
    return bar_chart(
        [b.count for b in bins],
        labels=[f"{b.low}–{b.high}" for b in bins],
        titles=[
            f"{b.count} submission{'' if b.count == 1 else 's'} scored {b.label}" for b in bins
        ],
    )


def health_charts(health) -> dict[str, BarChart]:
    """Grading health (labs.analytics.GradingHealth) by hour: gradings done, the share that
    failed, and the median queue wait. An hour is labelled every six hours."""
    hours = health.hours
    labels = [
        timezone.localtime(h.start).strftime("%H:%M") if i % 6 == 0 else ""
        for i, h in enumerate(hours)
    ]
    spans = [_span(h.start) for h in hours]
    return {
        "throughput": bar_chart(
            [h.graded for h in hours],
            labels=labels,
            titles=[f"{span}: {h.graded} graded" for span, h in zip(spans, hours, strict=True)],
        ),
        "failure_rate": bar_chart(
            [h.failure_rate for h in hours],
            labels=labels,
            titles=[
                f"{span}: {h.failed} of {h.gradings} failed"
                for span, h in zip(spans, hours, strict=True)
            ],
            top=100,
            tone="bad",
        ),
        "queue_wait": bar_chart(
            [h.median_queue_seconds for h in hours],
            labels=labels,
            titles=[
                f"{span}: median wait {_seconds(h.median_queue_seconds)}"
                for span, h in zip(spans, hours, strict=True)
            ],
        ),
    }


def _span(start) -> str:
    local = timezone.localtime(start)
    return f"{local:%H:%M}–{local + timedelta(hours=1):%H:%M}"


def _seconds(value: float | None) -> str:
    return "none recorded" if value is None else f"{value:.1f} s"
