package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.VggInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TrainingRunTest {

    /** Batches of a synthetic split, in order (augmentation is ingest's concern, not the trainer's). */
    static List<AugmentedBatch> epoch(CifarSplit split, int epoch, int batchSize) {
        int batches = (split.size() + batchSize - 1) / batchSize;
        List<AugmentedBatch> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            int n = Math.min(batchSize, split.size() - from);
            int[] indices = new int[n];
            Arrays.setAll(indices, i -> from + i);
            out.add(new AugmentedBatch(
                    BatchKind.TRAIN,
                    0,
                    epoch,
                    b,
                    batches,
                    indices,
                    Arrays.copyOfRange(split.labels(), from, from + n),
                    Arrays.copyOfRange(
                            split.pixels(),
                            from * ImageGeometry.BYTES_PER_IMAGE,
                            (from + n) * ImageGeometry.BYTES_PER_IMAGE)));
        }
        return out;
    }

    @Test
    void batchNormVggLearnsTheSyntheticDataAndCheckpointsTheEpoch() {
        CifarSplit split = SyntheticCifar.generate(480, 3, false);
        TrainingSettings settings = TrainingSettings.of("unit", TrainingPreset.STABLE, "vgg11", 1, 1)
                .withMaxLearningRate(0.02)
                .withLogEvery(10);
        List<String> log = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        StepReport last = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, log::add)) {
            for (AugmentedBatch batch : epoch(split, 0, 16)) {
                last = run.accept(batch);
                losses.add(last.loss());
                assertTrue(Double.isFinite(last.loss()), "loss is finite at step " + last.step());
            }
            assertTrue(run.finished());
        }
        double first =
                losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double final5 =
                losses.subList(25, 30).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(first > 2.0, "an untrained net is near ln 10 = 2.30: " + first);
        assertTrue(final5 < 0.75 * first, "loss fell from " + first + " to " + final5);

        CheckpointManifest manifest = last.checkpoint().orElseThrow().manifest();
        byte[] bytes = last.checkpoint().get().bytes();
        assertEquals(Sha256.hex(bytes), manifest.sha256());
        assertEquals(bytes.length, manifest.sizeBytes());
        assertEquals(List.of(new EpochLineage(0, 30, 30, 0)), manifest.lineage());
        assertEquals(1, manifest.epoch());
        assertEquals(30, manifest.step());
        assertEquals(TrainingCheckpoint.FORMAT, manifest.format());
        assertEquals(3, log.stream().filter(l -> l.contains("loss:")).count(), "a progress line every 10 steps");
    }

    @Test
    void seedLayoutWithDropoutTrainsAndChangesItsWeights() {
        CifarSplit split = SyntheticCifar.generate(48, 5, false);
        TrainingSettings settings = TrainingSettings.of("seed-layout", TrainingPreset.SEED, "vgg11", 1, 1);
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            List<AugmentedBatch> batches = epoch(split, 0, 16);
            StepReport first = run.accept(batches.get(0));
            assertEquals(2.3026, first.loss(), 0.05, "PyTorch's init gives ln 10 at the start");
            run.accept(batches.get(1));
            StepReport third = run.accept(batches.get(2));
            assertTrue(Double.isFinite(third.loss()));
            assertNotEquals(0, third.checkpoint().orElseThrow().bytes().length);
        }
    }

    @Test
    void aRunResumedFromItsCheckpointEndsWithTheModelAnUninterruptedRunReaches() {
        CifarSplit split = SyntheticCifar.generate(64, 9, false);
        TrainingSettings settings = TrainingSettings.of("resume", TrainingPreset.STABLE, "vgg11", 2, 4)
                .withMaxLearningRate(0.02);
        List<AugmentedBatch> first = epoch(split, 0, 16);
        List<AugmentedBatch> second = epoch(split, 1, 16);
        Checkpoint uninterrupted = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch b : first) {
                run.accept(b);
            }
            for (AugmentedBatch b : second) {
                StepReport r = run.accept(b);
                if (r.checkpoint().isPresent()) {
                    uninterrupted = r.checkpoint().get();
                }
            }
        }
        Checkpoint afterEpochOne = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch b : first) {
                StepReport r = run.accept(b, () -> Map.of("cifar.train.batches:0", 4L));
                if (r.checkpoint().isPresent()) {
                    afterEpochOne = r.checkpoint().get();
                }
            }
        }
        TrainingCheckpoint restored = TrainingCheckpoint.decode(afterEpochOne.bytes());
        assertEquals(Map.of("cifar.train.batches:0", 4L), restored.state().nextOffsets());
        assertEquals(4, restored.state().step());
        assertTrue(restored.momentumBuffers().stream().allMatch(Objects::nonNull), "a buffer per trainable parameter");
        Checkpoint resumed = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            run.restore(restored);
            assertEquals(
                    BatchLedger.Admission.DUPLICATE,
                    run.accept(first.get(2)).admission(),
                    "epoch 1 is in the checkpoint");
            for (AugmentedBatch b : second) {
                StepReport r = run.accept(b);
                if (r.checkpoint().isPresent()) {
                    resumed = r.checkpoint().get();
                }
            }
        }
        assertEquals(uninterrupted.manifest().step(), resumed.manifest().step());
        assertEquals(
                List.of(new EpochLineage(0, 4, 4, 1), new EpochLineage(1, 4, 4, 0)),
                resumed.manifest().lineage());
        // same weights: the same logits on the same input, to float32 rounding
        assertSameLogits(settings.model(), uninterrupted, resumed, 1e-3);
    }

    @Test
    void aConfiguredIntervalAddsCheckpointsWithinTheEpoch() {
        CifarSplit split = SyntheticCifar.generate(80, 2, false);
        TrainingSettings settings = TrainingSettings.of("every", TrainingPreset.STABLE, "vgg11", 1, 1)
                .withMaxLearningRate(0.02)
                .withCheckpointEverySteps(2);
        List<Long> checkpointSteps = new ArrayList<>();
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch batch : epoch(split, 0, 16)) { // 5 batches
                run.accept(batch).checkpoint().ifPresent(c -> {
                    checkpointSteps.add(c.manifest().step());
                    assertEquals(
                            c.manifest().step() == 5 ? 1 : 0,
                            c.manifest().epoch(),
                            "epochs complete at the checkpoint");
                });
            }
        }
        assertEquals(List.of(2L, 4L, 5L), checkpointSteps);
    }

    @Test
    void stepsRunOnAnyWorkerThread() throws Exception {
        // The messaging layer may hand consecutive batches to different worker threads; PyTorch's grad mode is
        // per thread, so each step must work on a thread that never trained before.
        CifarSplit split = SyntheticCifar.generate(64, 6, false);
        TrainingSettings settings = TrainingSettings.of("threads", TrainingPreset.STABLE, "vgg11", 1, 1)
                .withMaxLearningRate(0.02);
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch batch : epoch(split, 0, 16)) {
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread worker = new Thread(() -> {
                    try {
                        run.accept(batch);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                worker.start();
                worker.join();
                if (failure.get() != null) {
                    throw new AssertionError("step on a fresh thread failed", failure.get());
                }
            }
            assertEquals(4, run.steps());
            assertTrue(run.finished());
        }
    }

    @Test
    void aRunWhoseLossBlowsUpIsMarkedDivergedAndStopped() {
        CifarSplit split = SyntheticCifar.generate(96, 5, false);
        TrainingSettings settings = TrainingSettings.of("blow-up", TrainingPreset.SEED, "vgg11", 1, 1)
                .withMaxLearningRate(1e6);
        List<String> log = new ArrayList<>();
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, log::add)) {
            List<StepReport> reports = new ArrayList<>();
            for (AugmentedBatch batch : epoch(split, 0, 16)) {
                reports.add(run.accept(batch));
            }
            StepReport detected = reports.stream()
                    .filter(r -> r.divergence().isPresent())
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    detected.divergence().get().contains("loss is"),
                    detected.divergence().get());
            assertTrue(run.diverged() && run.finished());
            assertEquals(
                    BatchLedger.Admission.RUN_STOPPED,
                    reports.get(reports.size() - 1).admission());
            assertTrue(reports.stream().allMatch(r -> r.checkpoint().isEmpty()), "no checkpoint of a diverged run");
            assertTrue(log.stream().anyMatch(l -> l.contains("DIVERGED")), log.toString());
        }
    }

    @Test
    void duplicatesAndBatchesBeyondTheRunAreNotTrained() {
        CifarSplit split = SyntheticCifar.generate(32, 5, false);
        TrainingSettings settings = TrainingSettings.of("dups", TrainingPreset.STABLE, "vgg11", 1, 1)
                .withMaxLearningRate(0.02);
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            List<AugmentedBatch> batches = epoch(split, 0, 16);
            run.accept(batches.get(0));
            assertEquals(
                    BatchLedger.Admission.DUPLICATE, run.accept(batches.get(0)).admission());
            assertEquals(1, run.steps());
            StepReport done = run.accept(batches.get(1));
            assertEquals(
                    List.of(new EpochLineage(0, 2, 2, 1)),
                    done.checkpoint().orElseThrow().manifest().lineage());
            assertEquals(
                    BatchLedger.Admission.BEYOND_RUN,
                    run.accept(epoch(split, 1, 16).get(0)).admission());
            assertEquals(2, run.steps());
        }
    }

    @Test
    void aDropoutRunMovedMidEpochEndsWithTheModelAnUninterruptedRunReaches() {
        // The seed layout draws a dropout mask every step; the generator is re-seeded from (seed, step), so the
        // checkpoint's step is its whole RNG state and a resumed run draws the masks the uninterrupted one drew.
        CifarSplit split = SyntheticCifar.generate(64, 12, false);
        TrainingSettings settings = TrainingSettings.of("dropout", TrainingPreset.SEED, "vgg11", 2, 3)
                .withMaxLearningRate(0.05);
        List<AugmentedBatch> batches = new ArrayList<>(epoch(split, 0, 16));
        batches.addAll(epoch(split, 1, 16));
        Checkpoint uninterrupted = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch b : batches) {
                StepReport r = run.accept(b);
                if (r.checkpoint().isPresent()) {
                    uninterrupted = r.checkpoint().get();
                }
            }
        }
        Checkpoint moved;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            for (AugmentedBatch b : batches.subList(0, 3)) {
                run.accept(b);
            }
            moved = run.checkpointNow(Map.of("cifar.train.batches:0", 3L)).orElseThrow();
            assertTrue(run.checkpointNow(Map.of()).isEmpty(), "nothing new since");
        }
        assertEquals(0, moved.manifest().epoch(), "taken mid-epoch");
        assertEquals(3, moved.manifest().step());
        Checkpoint resumed = null;
        try (TrainingRun run = new TrainingRun(settings, 1 << 20, s -> {})) {
            run.restore(TrainingCheckpoint.decode(moved.bytes()));
            for (AugmentedBatch b : batches.subList(3, batches.size())) {
                StepReport r = run.accept(b);
                if (r.checkpoint().isPresent()) {
                    resumed = r.checkpoint().get();
                }
            }
        }
        assertEquals(
                List.of(new EpochLineage(0, 4, 4, 0), new EpochLineage(1, 4, 4, 0)),
                resumed.manifest().lineage());
        assertSameLogits(settings.model(), uninterrupted, resumed, 1e-4);
    }

    /** Both checkpoints' weights give the same logits on the same random input, to {@code tolerance} (relative, at least 1). */
    private static void assertSameLogits(
            ModelSpec spec, Checkpoint uninterrupted, Checkpoint resumed, double tolerance) {
        try (NDManager manager = NDManager.newBaseManager();
                VggInference a = VggInference.fromWeights(
                        spec, TrainingCheckpoint.decode(uninterrupted.bytes()).weights(), manager);
                VggInference b = VggInference.fromWeights(
                        spec, TrainingCheckpoint.decode(resumed.bytes()).weights(), manager)) {
            NDArray input = manager.randomNormal(new Shape(4, 3, 32, 32));
            float[] expected = a.logits(input).toFloatArray();
            float[] actual = b.logits(input).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "logit " + i);
            }
        }
    }
}
