package dev.cifarpipeline.ingest;

import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.ingest.stream.PublishedBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What ingest has published, and how far ahead of the runs it is, for Prometheus. */
@ApplicationScoped
public class IngestMetrics {
    private final AtomicInteger epoch = new AtomicInteger(-1);
    private final AtomicInteger lead = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Registered once per kind: {@link #published} runs for every batch, hundreds of times a second. */
    private final Map<BatchKind, KindMeters> byKind = new EnumMap<>(BatchKind.class);

    public IngestMetrics(MeterRegistry registry) {
        Gauge.builder("ingest_epoch", epoch, AtomicInteger::get)
                .description("0-based epoch being published; -1 before the first")
                .register(registry);
        Gauge.builder("ingest_lead_epochs", lead, AtomicInteger::get)
                .description("Epochs the next epoch to publish is ahead of the slowest training run")
                .register(registry);
        Gauge.builder("ingest_waiting_for_consumers", waiting, AtomicInteger::get)
                .description("1 while ingest holds back because the slowest run is too far behind")
                .register(registry);
        for (BatchKind kind : BatchKind.values()) {
            byKind.put(kind, new KindMeters(registry, kind.name().toLowerCase(Locale.ROOT)));
        }
    }

    public void published(PublishedBatch batch, long latencyNanos) {
        KindMeters m = byKind.get(batch.kind());
        m.batches.increment();
        m.images.increment(batch.images());
        m.bytes.increment(batch.bytes());
        m.latency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    public void epochStarted(int e) {
        epoch.set(e);
    }

    public void lead(int epochsAhead, boolean holdingBack) {
        lead.set(epochsAhead);
        waiting.set(holdingBack ? 1 : 0);
    }

    private static final class KindMeters {
        final Counter batches;
        final Counter images;
        final Counter bytes;
        final Timer latency;

        KindMeters(MeterRegistry registry, String kind) {
            batches = Counter.builder("ingest_batches_published_total")
                    .description("Batches acknowledged by the broker")
                    .tag("kind", kind)
                    .register(registry);
            images = Counter.builder("ingest_images_published_total")
                    .description("Images acknowledged by the broker")
                    .tag("kind", kind)
                    .register(registry);
            bytes = Counter.builder("ingest_bytes_published_total")
                    .description("Record bytes acknowledged by the broker")
                    .tag("kind", kind)
                    .register(registry);
            latency = Timer.builder("ingest_publish_latency_seconds")
                    .tag("kind", kind)
                    .description("Time from sending a batch to the broker's acknowledgement")
                    .register(registry);
        }
    }
}
