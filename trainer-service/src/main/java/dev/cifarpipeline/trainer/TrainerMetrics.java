package dev.cifarpipeline.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Training progress for Prometheus, labelled by run. */
@ApplicationScoped
public class TrainerMetrics {
    private final MeterRegistry registry;
    private final AtomicReference<Double> loss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> learningRate = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> step = new AtomicReference<>(0.0);
    private final AtomicReference<Double> epochs = new AtomicReference<>(0.0);
    private final AtomicReference<Double> momentum = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> imagesPerSecond = new AtomicReference<>(0.0);
    private final java.util.concurrent.atomic.AtomicInteger diverged = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong checkpointBytes = new java.util.concurrent.atomic.AtomicLong();
    private Tags runTags = Tags.empty();

    public TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void bind(String runId) {
        runTags = Tags.of("run", runId);
        Gauge.builder("trainer_loss", loss, AtomicReference::get).tags(runTags)
                .description("Mean training loss of the last 100 steps").register(registry);
        Gauge.builder("trainer_learning_rate", learningRate, AtomicReference::get).tags(runTags)
                .description("Learning rate of the last step").register(registry);
        Gauge.builder("trainer_step", step, AtomicReference::get).tags(runTags)
                .description("Optimizer steps taken").register(registry);
        Gauge.builder("trainer_epochs_completed", epochs, AtomicReference::get).tags(runTags)
                .description("Epochs whose every batch has been trained on").register(registry);
        Gauge.builder("trainer_momentum", momentum, AtomicReference::get).tags(runTags)
                .description("SGD momentum of the last step (OneCycle cycles it 0.95 to 0.85 and back)").register(registry);
        Gauge.builder("trainer_images_per_second", imagesPerSecond, AtomicReference::get).tags(runTags)
                .description("Training throughput of the last step, images per second of step time").register(registry);
        Gauge.builder("trainer_diverged", diverged, java.util.concurrent.atomic.AtomicInteger::get).tags(runTags)
                .description("1 once the run diverged (NaN loss, or loss stuck at ln 10)").register(registry);
        Gauge.builder("trainer_checkpoint_bytes", checkpointBytes, java.util.concurrent.atomic.AtomicLong::get).tags(runTags)
                .description("Size of the last checkpoint").register(registry);
    }

    public void received() {
        Counter.builder("trainer_batches_received_total").tags(runTags)
                .description("Valid batch records received from the stream").register(registry).increment();
    }

    public void report(StepReport report, int images, int completedEpochs) {
        Counter.builder("trainer_batches_total").tags(runTags).tag("outcome", report.admission().name().toLowerCase(java.util.Locale.ROOT))
                .description("Batches by outcome: train, duplicate, beyond_run, run_stopped (the last three skipped)").register(registry).increment();
        if (report.admission() == BatchLedger.Admission.TRAIN) {
            Counter.builder("trainer_images_trained_total").tags(runTags).description("Images trained on")
                    .register(registry).increment(images);
            Timer.builder("trainer_step_seconds").tags(runTags).description("Wall time of a training step")
                    .register(registry).record(Duration.ofNanos((long) (report.stepSeconds() * 1e9)));
            loss.set(report.meanLoss());
            learningRate.set(report.learningRate());
            momentum.set(report.momentum());
            imagesPerSecond.set(images / report.stepSeconds());
            step.set((double) report.step());
        }
        epochs.set((double) completedEpochs);
        if (report.divergence().isPresent()) {
            diverged.set(1);
        }
    }

    /** Time the trainer spent waiting for the next batch to arrive, between steps. */
    public void waitedForData(double seconds) {
        Counter.builder("trainer_data_wait_seconds_total").tags(runTags)
                .description("Seconds between steps spent waiting for the next batch").register(registry).increment(seconds);
    }

    public void checkpointPublished(long bytes, double seconds) {
        Counter.builder("trainer_checkpoints_published_total").tags(runTags).description("Checkpoints acknowledged by the broker")
                .register(registry).increment();
        Timer.builder("trainer_checkpoint_publish_seconds").tags(runTags).description("Time to publish a checkpoint's chunks and manifest")
                .register(registry).record(Duration.ofNanos((long) (seconds * 1e9)));
        checkpointBytes.set(bytes);
    }

    public void deadLettered() {
        Counter.builder("pipeline_dead_letter_records_total").tag("service", "trainer").tag("channel", "train-batches")
                .description("Records sent to the dead-letter topic").register(registry).increment();
    }
}
