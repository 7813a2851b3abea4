"""Prometheus counters of the ANPR exchange (hotlists and hits), shown at ``/metrics``.

One ``ExchangeMetrics`` per node (held by ``ctx.anpr.hotlists``); the app
registers it as a collector. Labels are reasons, outcomes and countries, never
plates or entry ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector


class ExchangeMetrics(Collector):
    def __init__(self, active_counts: Callable[[], dict[str, int]]) -> None:
        self._active_counts = active_counts
        self._registry = CollectorRegistry(auto_describe=True)
        r = self._registry
        self.entries_rejected = Counter(
            "passerelle_anpr_hotlist_entries_rejected",
            "Hotlist entries refused, by reason and source (officer, partner).",
            ["reason", "source"],
            registry=r,
        )
        self.entries_changed = Counter(
            "passerelle_anpr_hotlist_changes",
            "Hotlist entry changes applied, by owner country and operation.",
            ["owner", "op"],
            registry=r,
        )
        self.syncs = Counter(
            "passerelle_anpr_hotlist_pulls",
            "Pulls of a partner's hotlist feed, by partner and result.",
            ["partner", "result"],
            registry=r,
        )
        self.hits = Counter(
            "passerelle_anpr_hits_recorded",
            "Hits recorded here, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.duplicates = Counter(
            "passerelle_anpr_hits_duplicate",
            "Hits within the de-duplication window of an earlier one (linked, not alerted).",
            registry=r,
        )
        self.routed = Counter(
            "passerelle_anpr_hits_routed",
            "Hits queued for the owner's node.",
            ["owner"],
            registry=r,
        )
        self.received = Counter(
            "passerelle_anpr_hits_received",
            "Partners' hits on our entries, by reporting country.",
            ["reporting"],
            registry=r,
        )
        self.dispositions = Counter(
            "passerelle_anpr_hit_dispositions",
            "Hit dispositions, by value and side (local, owner).",
            ["disposition", "side"],
            registry=r,
        )

    def collect(self) -> Iterable[Metric]:
        yield from self._registry.collect()
        gauge = GaugeMetricFamily(
            "passerelle_anpr_hotlist_entries_active",
            "Active hotlist entries matched by this node's cameras, by owner country.",
            labels=["owner"],
        )
        for owner, n in sorted(self._active_counts().items()):
            gauge.add_metric([owner], n)
        yield gauge
