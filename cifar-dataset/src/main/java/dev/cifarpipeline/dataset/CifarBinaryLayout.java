package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.util.List;

/**
 * The official CIFAR-10 binary layout ({@code cifar-10-batches-bin}): five training files and one test file,
 * each a sequence of records of one label byte followed by 3,072 pixel bytes (1,024 R, 1,024 G, 1,024 B,
 * row-major); {@code batches.meta.txt} names the classes.
 */
public final class CifarBinaryLayout {
    public static final String FOLDER = "cifar-10-batches-bin";
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    public static final String META_FILE = "batches.meta.txt";
    public static final int RECORD_BYTES = 1 + ImageGeometry.BYTES_PER_IMAGE;
    public static final int OFFICIAL_RECORDS_PER_FILE = 10_000;
    public static final List<String> CLASS_NAMES =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private CifarBinaryLayout() {}
}
