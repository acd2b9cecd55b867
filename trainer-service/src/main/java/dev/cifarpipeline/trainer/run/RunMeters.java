package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.trainer.training.BatchLedger;
import dev.cifarpipeline.trainer.training.StepReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * One run's training progress for Prometheus, every meter labelled {@code run}. Registered when a trainer
 * takes the run on and removed when the run moves to another trainer, so a run's series come from one
 * process at a time. Values are plain fields read by gauges: the training thread writes, the scrape reads.
 */
public final class RunMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private volatile double loss = Double.NaN;
    private volatile double learningRate = Double.NaN;
    private volatile double momentum = Double.NaN;
    private volatile double imagesPerSecond;
    private volatile double step;
    private volatile double epochs;
    private volatile double epochProgress;
    private volatile double diverged;
    private volatile double lag;
    private final AtomicLong checkpointBytes = new AtomicLong();
    private final Counter received;
    private final Counter imagesTrained;
    private final Counter dataWait;
    private final Counter deadLettered;
    private final Counter unreadableMarkers;
    private final Counter checkpoints;
    private final Timer stepSeconds;
    private final Timer checkpointSeconds;
    private final EnumMap<BatchLedger.Admission, Counter> outcomes = new EnumMap<>(BatchLedger.Admission.class);

    public RunMeters(MeterRegistry registry, String runId) {
        this.registry = registry;
        Tags tags = Tags.of("run", runId);
        gauge("trainer_loss", "Mean training loss of the last 100 steps", tags, () -> loss);
        gauge("trainer_learning_rate", "Learning rate of the last step", tags, () -> learningRate);
        gauge(
                "trainer_momentum",
                "SGD momentum of the last step (OneCycle cycles it 0.95 to 0.85 and back)",
                tags,
                () -> momentum);
        gauge(
                "trainer_images_per_second",
                "Training throughput of the last step, images per second of step time",
                tags,
                () -> imagesPerSecond);
        gauge("trainer_step", "Optimizer steps taken", tags, () -> step);
        gauge("trainer_epochs_completed", "Epochs whose every batch has been trained on", tags, () -> epochs);
        gauge(
                "trainer_epoch_progress_ratio",
                "Share of the current epoch's batches trained, 0 to 1",
                tags,
                () -> epochProgress);
        gauge("trainer_diverged", "1 once the run diverged (NaN loss, or loss stuck at ln 10)", tags, () -> diverged);
        gauge("trainer_checkpoint_bytes", "Size of the last checkpoint", tags, checkpointBytes::get);
        gauge(
                "trainer_stream_lag_batches",
                "Batches on the stream not yet read by the run (consumer lag)",
                tags,
                () -> lag);
        received = add(Counter.builder("trainer_batches_received_total")
                .tags(tags)
                .description("Valid batch records received from the stream")
                .register(registry));
        imagesTrained = add(Counter.builder("trainer_images_trained_total")
                .tags(tags)
                .description("Images trained on")
                .register(registry));
        dataWait = add(Counter.builder("trainer_data_wait_seconds_total")
                .tags(tags)
                .description("Seconds between steps spent waiting for the next batch")
                .register(registry));
        deadLettered = add(Counter.builder("pipeline_dead_letter_records_total")
                .tags(tags)
                .tag("service", "trainer")
                .tag("channel", "train-batches")
                .description("Records sent to the dead-letter topic")
                .register(registry));
        unreadableMarkers = add(Counter.builder("pipeline_unreadable_records_total")
                .tags(tags)
                .tag("service", "trainer")
                .tag("channel", "epoch-markers")
                .description("Records that are not what their topic holds, skipped by every reader (not dead-lettered)")
                .register(registry));
        checkpoints = add(Counter.builder("trainer_checkpoints_published_total")
                .tags(tags)
                .description("Checkpoints acknowledged by the broker")
                .register(registry));
        stepSeconds = add(Timer.builder("trainer_step_seconds")
                .tags(tags)
                .description("Wall time of a training step")
                .register(registry));
        checkpointSeconds = add(Timer.builder("trainer_checkpoint_publish_seconds")
                .tags(tags)
                .description("Time to publish a checkpoint's chunks and manifest")
                .register(registry));
        for (BatchLedger.Admission a : BatchLedger.Admission.values()) {
            outcomes.put(
                    a,
                    add(Counter.builder("trainer_batches_total")
                            .tags(tags)
                            .tag("outcome", a.name().toLowerCase(Locale.ROOT))
                            .description(
                                    "Batches by outcome: train, duplicate, beyond_run, run_stopped (the last three skipped)")
                            .register(registry)));
        }
    }

    private void gauge(String name, String description, Tags tags, DoubleSupplier value) {
        add(Gauge.builder(name, value::getAsDouble)
                .tags(tags)
                .description(description)
                .register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    public void received() {
        received.increment();
    }

    public void report(StepReport report, int images, int completedEpochs, double epochShare) {
        outcomes.get(report.admission()).increment();
        if (report.admission() == BatchLedger.Admission.TRAIN) {
            imagesTrained.increment(images);
            stepSeconds.record(Duration.ofNanos((long) (report.stepSeconds() * 1e9)));
            loss = report.meanLoss();
            learningRate = report.learningRate();
            momentum = report.momentum();
            imagesPerSecond = images / report.stepSeconds();
            step = report.step();
            epochProgress = epochShare;
        }
        epochs = completedEpochs;
        if (report.divergence().isPresent()) {
            diverged = 1;
        }
    }

    /** The state a resumed run starts from, so the gauges do not read 0 until its first step. */
    public void resumed(long steps, int completedEpochs) {
        step = steps;
        epochs = completedEpochs;
    }

    /** How far behind the stream's end the run reads, in batches. */
    public void lag(long batches) {
        lag = batches;
    }

    public void waitedForData(double seconds) {
        dataWait.increment(seconds);
    }

    public void checkpointPublished(long bytes, double seconds) {
        checkpoints.increment();
        checkpointSeconds.record(Duration.ofNanos((long) (seconds * 1e9)));
        checkpointBytes.set(bytes);
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    /** A record on the epoch-markers topic that is not a marker, skipped by this run's stream check. */
    public void unreadableMarker() {
        unreadableMarkers.increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
