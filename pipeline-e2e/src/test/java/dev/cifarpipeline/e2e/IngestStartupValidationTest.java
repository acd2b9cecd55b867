package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged ingest service refuses to start on a dataset it cannot use, and says which path and why. */
class IngestStartupValidationTest {
    @TempDir
    Path dir;

    private String startAndExpectExit(Path dataset) throws Exception {
        try (ServiceProcess ingest = ServiceProcess.start(
                "data-ingest-service",
                "256m",
                Map.of("kafka.bootstrap.servers", "localhost:1", "ingest.dataset-dir", dataset.toString()),
                dir.resolve("logs"))) {
            assertTrue(ingest.process().waitFor(90, TimeUnit.SECONDS), "the service must exit by itself");
            assertNotEquals(0, ingest.process().exitValue(), "non-zero exit status");
            return ingest.output();
        }
    }

    @Test
    void missingDatasetPathStopsTheServiceNamingThePath() throws Exception {
        Path missing = dir.resolve("no-dataset-here");
        String output = startAndExpectExit(missing);
        assertTrue(
                output.contains("data-ingest-service cannot start: CIFAR-10 dataset at " + missing
                        + ": the path does not exist"),
                output);
    }

    @Test
    void folderInTheWrongLayoutStopsTheServiceSayingWhatIsMissing() throws Exception {
        Path wrong = Files.createDirectories(dir.resolve("wrong-layout"));
        Files.writeString(wrong.resolve("data_batch_1.bin"), "x");
        String output = startAndExpectExit(wrong);
        assertTrue(output.contains("CIFAR-10 dataset at " + wrong + ": not an official CIFAR-10 layout"), output);
        assertTrue(output.contains("test_batch.bin"), output);
    }
}
