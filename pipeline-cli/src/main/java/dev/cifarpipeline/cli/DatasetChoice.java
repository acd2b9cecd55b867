package dev.cifarpipeline.cli;

import dev.cifarpipeline.dataset.CifarBinaryWriter;
import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.CifarDatasets;
import dev.cifarpipeline.dataset.CifarDownloader;
import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.ImageGeometry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Which dataset a run streams, decided before anything starts: {@code --data}, {@code --download}, {@code
 * --synthetic}, or by default {@code ./data} when it holds CIFAR-10 and the synthetic set otherwise (said so).
 * With {@code --limit-train}/{@code --limit-test} the first N images are written as a binary-layout copy under
 * the work folder, so ingest streams exactly them.
 *
 * @param dir         the folder ingest reads
 * @param kind        {@code real} or {@code synthetic}
 * @param layout      the layout of the source ({@code binary} or {@code python})
 * @param trainImages training images streamed
 * @param testImages  test images scored
 */
public record DatasetChoice(Path dir, String kind, String layout, int trainImages, int testImages) {
    /** Size of the generated stand-in: enough to learn, small enough to train on a laptop CPU. */
    public static final int SYNTHETIC_TRAIN = 10_000;

    public static final int SYNTHETIC_TEST = 2_000;

    public static DatasetChoice resolve(RunOptions options, Path work, Consumer<String> say) {
        CifarDataset dataset;
        String kind = "real";
        Path defaultData = work.toAbsolutePath().getParent().resolve("data"); // ./data of the repository
        if (options.data().isPresent()) {
            dataset = CifarDatasets.read(options.data().get());
        } else if (options.download()) {
            Path into = defaultData;
            say.accept(new CifarDownloader(say)
                    .ensure(into, CifarDownloader.OFFICIAL_BINARY_URL, CifarDownloader.OFFICIAL_BINARY_MD5)
                    .message());
            dataset = CifarDatasets.read(into);
        } else if (!options.synthetic() && holdsCifar(defaultData)) {
            dataset = CifarDatasets.read(defaultData);
            say.accept("using CIFAR-10 found in ./data (" + dataset.source() + ")");
        } else {
            if (!options.synthetic()) {
                say.accept(
                        "NOTE: no CIFAR-10 in ./data and no --data/--download given: training on the SYNTHETIC dataset "
                                + "(ten tinted gratings under noise), not on CIFAR-10. Accuracies are not comparable to the seed's.");
            }
            kind = "synthetic";
            Path dir = work.resolve("data").resolve("synthetic-" + SYNTHETIC_TRAIN + "-" + SYNTHETIC_TEST);
            dataset = holdsCifar(dir)
                    ? CifarDatasets.read(dir)
                    : SyntheticCifar.write(dir, SYNTHETIC_TRAIN, SYNTHETIC_TEST, 1);
        }
        int train = Math.min(dataset.train().size(), options.limitTrain().orElse(Integer.MAX_VALUE));
        int test = Math.min(dataset.test().size(), options.limitTest().orElse(Integer.MAX_VALUE));
        Path dir = dataset.source();
        if (train < dataset.train().size() || test < dataset.test().size()) {
            dir = work.resolve("data").resolve(kind + "-first-" + train + "-" + test);
            if (!holdsCifar(dir)) {
                CifarBinaryWriter.write(dir, first(dataset.train(), train), first(dataset.test(), test));
            }
        }
        return new DatasetChoice(dir, kind, dataset.layout(), train, test);
    }

    private static CifarSplit first(CifarSplit split, int n) {
        return new CifarSplit(
                Arrays.copyOf(split.labels(), n), Arrays.copyOf(split.pixels(), n * ImageGeometry.BYTES_PER_IMAGE));
    }

    private static boolean holdsCifar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try {
            CifarDatasets.read(dir);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
