"""Prometheus counters of the ANPR ingest, shown at ``/metrics``.

The counters live in the node's ``AnprRuntime`` (one per node, also when no web
app runs); the app registers ``AnprMetrics`` as a collector on its registry.
Labels are reasons and sources, never plates or cameras.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from passerelle.anpr.ingest_models import IngestResult


class AnprMetrics(Collector):
    def __init__(self) -> None:
        self._registry = CollectorRegistry(auto_describe=True)
        r = self._registry
        self.received = Counter(
            "passerelle_anpr_reads_received",
            "Camera reads received, by source (http, queue, nats).",
            ["source"],
            registry=r,
        )
        self.accepted = Counter(
            "passerelle_anpr_reads_accepted", "Reads matched (and stored where kept).", registry=r
        )
        self.stored = Counter("passerelle_anpr_reads_stored", "Reads written.", registry=r)
        self.discarded = Counter(
            "passerelle_anpr_reads_discarded",
            "No-hit reads the jurisdiction never stores (DE), matched then dropped.",
            registry=r,
        )
        self.duplicates = Counter(
            "passerelle_anpr_reads_duplicate", "Reads whose id was already processed.", registry=r
        )
        self.quarantined = Counter(
            "passerelle_anpr_reads_quarantined",
            "Reads kept aside in the quarantine, by reason.",
            ["reason"],
            registry=r,
        )
        self.rejected = Counter(
            "passerelle_anpr_reads_rejected",
            "Reads refused without a read id to keep them under, by reason.",
            ["reason"],
            registry=r,
        )
        self.hits = Counter(
            "passerelle_anpr_ingest_hits",
            "Hits found by the ingest, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.retro_hits = Counter(
            "passerelle_anpr_retro_hits", "Hits found by retro-matching stored reads.", registry=r
        )
        self.batch_seconds = Histogram(
            "passerelle_anpr_ingest_batch_seconds",
            "Time to ingest one batch.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )

    def collect(self) -> Iterable[Metric]:
        return self._registry.collect()

    def count(self, result: IngestResult, outcomes: Iterable[str] = ()) -> None:
        if result.accepted:
            self.accepted.inc(result.accepted)
        if result.stored:
            self.stored.inc(result.stored)
        if result.discarded:
            self.discarded.inc(result.discarded)
        if result.duplicates:
            self.duplicates.inc(result.duplicates)
        for _, reason in result.quarantined:
            self.quarantined.labels(reason).inc()
        for _, reason in result.rejected:
            self.rejected.labels(reason).inc()
        for outcome in outcomes:
            self.hits.labels(outcome).inc()
