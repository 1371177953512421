"""The daemon's counters and histograms, rendered in the Prometheus text format. Pure."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0)


def number(value: float) -> str:
    """A sample value exactly: integers without exponent (a Unix time keeps its seconds),
    other floats in Python's shortest round-trip form."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class Histogram:
    buckets: Sequence[float]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += value
        self.count += 1

    def lines(self, name: str) -> list[str]:
        out: list[str] = []
        running = 0
        for bound, n in zip(self.buckets, self.counts, strict=True):
            running += n
            out.append(f'{name}_bucket{{le="{bound:g}"}} {running}')
        out.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        out.append(f"{name}_sum {self.total:.6f}")
        out.append(f"{name}_count {self.count}")
        return out


@dataclass
class Metrics:
    checks: Counter[str] = field(default_factory=Counter)  # by status
    events: int = 0
    deliveries: Counter[str] = field(default_factory=Counter)  # sent | retrying | dead
    operator_alerts: Counter[str] = field(default_factory=Counter)  # unhealthy | recovered
    fetch_seconds: Histogram = field(default_factory=lambda: Histogram(LATENCY_BUCKETS))
    lag_seconds: Histogram = field(default_factory=lambda: Histogram(LAG_BUCKETS))
    reloads: Counter[str] = field(default_factory=Counter)  # ok | failed

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        """The text exposition; ``gauges`` maps a name to (help, value)."""
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str, body: list[str]) -> None:
            lines.extend([f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *body])

        family(
            "monitor_checks_total",
            "counter",
            "Source checks, by outcome.",
            [f'monitor_checks_total{{status="{s}"}} {n}' for s, n in sorted(self.checks.items())],
        )
        family(
            "monitor_check_failures_total",
            "counter",
            "Source checks that failed.",
            [f"monitor_check_failures_total {self.checks.get('error', 0)}"],
        )
        family(
            "monitor_events_total",
            "counter",
            "Officer changes detected.",
            [f"monitor_events_total {self.events}"],
        )
        family(
            "monitor_deliveries_total",
            "counter",
            "Alert deliveries, by result.",
            [
                f'monitor_deliveries_total{{result="{r}"}} {self.deliveries.get(r, 0)}'
                for r in ("sent", "retrying", "dead")
            ],
        )
        family(
            "monitor_operator_alerts_total",
            "counter",
            "Alerts to the operator about source health.",
            [
                f'monitor_operator_alerts_total{{kind="{k}"}} {self.operator_alerts.get(k, 0)}'
                for k in ("unhealthy", "recovered")
            ],
        )
        family(
            "monitor_reloads_total",
            "counter",
            "Configuration reloads, by result.",
            [
                f'monitor_reloads_total{{result="{r}"}} {self.reloads.get(r, 0)}'
                for r in ("ok", "failed")
            ],
        )
        family(
            "monitor_fetch_duration_seconds",
            "histogram",
            "Time for one HTTP request, answer or not.",
            self.fetch_seconds.lines("monitor_fetch_duration_seconds"),
        )
        family(
            "monitor_schedule_lag_seconds",
            "histogram",
            "How late a check started after its scheduled time.",
            self.lag_seconds.lines("monitor_schedule_lag_seconds"),
        )
        for name, (help_text, value) in gauges.items():
            family(name, "gauge", help_text, [f"{name} {number(value)}"])
        return "\n".join(lines) + "\n"
