package dev.cifarpipeline.ingest;

import dev.cifarpipeline.events.AugmentedBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/** What ingest has published, for Prometheus. */
@ApplicationScoped
public class IngestMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger epoch = new AtomicInteger(-1);

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("ingest_epoch", epoch, AtomicInteger::get)
                .description("0-based epoch being published; -1 before the first").register(registry);
    }

    public void published(AugmentedBatch batch, int bytes) {
        String kind = batch.kind().name().toLowerCase(java.util.Locale.ROOT);
        counter("ingest_batches_published_total", "Batches acknowledged by the broker", kind).increment();
        counter("ingest_images_published_total", "Images acknowledged by the broker", kind).increment(batch.size());
        counter("ingest_bytes_published_total", "Record bytes acknowledged by the broker", kind).increment(bytes);
    }

    public void epochStarted(int e) {
        epoch.set(e);
    }

    private Counter counter(String name, String help, String kind) {
        return Counter.builder(name).description(help).tag("kind", kind).register(registry);
    }
}
