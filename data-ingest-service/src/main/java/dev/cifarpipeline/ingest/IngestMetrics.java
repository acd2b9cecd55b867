package dev.cifarpipeline.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What ingest has published, and how far ahead of the runs it is, for Prometheus. */
@ApplicationScoped
public class IngestMetrics implements PublishListener {
    private final MeterRegistry registry;
    private final AtomicInteger epoch = new AtomicInteger(-1);
    private final AtomicInteger lead = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("ingest_epoch", epoch, AtomicInteger::get)
                .description("0-based epoch being published; -1 before the first").register(registry);
        Gauge.builder("ingest_lead_epochs", lead, AtomicInteger::get)
                .description("Epochs the next epoch to publish is ahead of the slowest training run").register(registry);
        Gauge.builder("ingest_waiting_for_consumers", waiting, AtomicInteger::get)
                .description("1 while ingest holds back because the slowest run is too far behind").register(registry);
    }

    @Override
    public void published(PublishedBatch batch, long latencyNanos) {
        String kind = batch.kind().name().toLowerCase(Locale.ROOT);
        counter("ingest_batches_published_total", "Batches acknowledged by the broker", kind).increment();
        counter("ingest_images_published_total", "Images acknowledged by the broker", kind).increment(batch.images());
        counter("ingest_bytes_published_total", "Record bytes acknowledged by the broker", kind).increment(batch.bytes());
        Timer.builder("ingest_publish_latency_seconds").tag("kind", kind)
                .description("Time from sending a batch to the broker's acknowledgement").register(registry)
                .record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void epochStarted(int e) {
        epoch.set(e);
    }

    @Override
    public void lead(int epochsAhead, boolean holdingBack) {
        lead.set(epochsAhead);
        waiting.set(holdingBack ? 1 : 0);
    }

    @Override
    public void state(String state) {
        // the status resource reports states
    }

    private Counter counter(String name, String help, String kind) {
        return Counter.builder(name).description(help).tag("kind", kind).register(registry);
    }
}
