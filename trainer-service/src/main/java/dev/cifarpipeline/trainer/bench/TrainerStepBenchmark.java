package dev.cifarpipeline.trainer.bench;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.trainer.training.OneCycleSchedule;
import dev.cifarpipeline.trainer.training.StepTimes;
import dev.cifarpipeline.trainer.training.TrainingPreset;
import dev.cifarpipeline.trainer.training.TrainingSession;
import dev.cifarpipeline.trainer.training.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The trainer's step alone, as the seed's PyTorch script measures its own ({@code tools/reference/seed_vgg11.py}:
 * four fixed random batches cycled, warm-up steps discarded, median step time): images per second of
 * {@link TrainingSession#step}, the median of each of its phases ({@link StepTimes}), plus the process's RSS at steps 100 and 1,000 when the run is that long.
 * It ran next to the seed's script on the same machine. Prints one JSON line.
 *
 * <p>Arguments: steps (default 30), warm-up steps (5), batch size (128), preset (seed).
 */
public final class TrainerStepBenchmark {
    private TrainerStepBenchmark() {}

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        TrainingPreset preset = TrainingPreset.parse(args.length > 3 ? args[3] : "seed");
        int total = warm + steps;
        TrainingSettings settings = TrainingSettings.of("bench", preset, "vgg11", 1, 0);
        Random random = new Random(0);
        AugmentedBatch[] batches = new AugmentedBatch[4];
        for (int i = 0; i < batches.length; i++) {
            byte[] labels = new byte[batchSize];
            byte[] pixels = new byte[batchSize * ImageGeometry.BYTES_PER_IMAGE];
            for (int j = 0; j < batchSize; j++) {
                labels[j] = (byte) random.nextInt(10);
            }
            random.nextBytes(pixels);
            batches[i] =
                    new AugmentedBatch(BatchKind.TRAIN, 0, 0, i, batches.length, new int[batchSize], labels, pixels);
        }
        double[] times = new double[steps];
        double[][] phases = new double[4][steps]; // input, forward with loss, backward, update (StepTimes)
        long rss100 = -1;
        long rss1000 = -1;
        try (TrainingSession session = new TrainingSession(settings, OneCycleSchedule.pytorchDefaults(0.1, total))) {
            for (int i = 0; i < total; i++) {
                long start = System.nanoTime();
                session.step(batches[i % batches.length]);
                if (i >= warm) {
                    times[i - warm] = (System.nanoTime() - start) / 1e9;
                    StepTimes t = session.lastStepTimes();
                    phases[0][i - warm] = t.inputNanos() / 1e6;
                    phases[1][i - warm] = t.forwardNanos() / 1e6;
                    phases[2][i - warm] = t.backwardNanos() / 1e6;
                    phases[3][i - warm] = t.updateNanos() / 1e6;
                }
                if ((i + 1) % 100 == 0) {
                    Runtime rt = Runtime.getRuntime();
                    System.err.printf(
                            Locale.ROOT,
                            "step %d: RSS %d MB, Java heap committed %d MB, used %d MB%n",
                            i + 1,
                            rssBytes() >> 20,
                            rt.totalMemory() >> 20,
                            (rt.totalMemory() - rt.freeMemory()) >> 20);
                }
                if (i + 1 == 100) {
                    rss100 = rssBytes();
                } else if (i + 1 == 1000) {
                    rss1000 = rssBytes();
                }
            }
        }
        Arrays.sort(times);
        double median = times[steps / 2];
        for (double[] phase : phases) {
            Arrays.sort(phase);
        }
        System.out.printf(
                Locale.ROOT,
                "{\"preset\":\"%s\",\"batch\":%d,\"train_step_ms\":%.1f,\"input_ms\":%.2f,\"forward_ms\":%.2f,"
                        + "\"backward_ms\":%.2f,\"update_ms\":%.2f,\"train_img_s\":%.0f,\"rss_step_100\":%d,"
                        + "\"rss_step_1000\":%d,\"rss_growth\":%s}%n",
                preset.id(),
                batchSize,
                median * 1e3,
                phases[0][steps / 2],
                phases[1][steps / 2],
                phases[2][steps / 2],
                phases[3][steps / 2],
                batchSize / median,
                rss100,
                rss1000,
                rss100 > 0 && rss1000 > 0 ? String.format(Locale.ROOT, "%.4f", (double) rss1000 / rss100 - 1) : "null");
    }

    /** Resident set size of this process, from /proc (Linux). */
    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
