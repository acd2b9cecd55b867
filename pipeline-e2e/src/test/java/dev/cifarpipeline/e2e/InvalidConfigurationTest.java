package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each packaged service refuses a setting that cannot work: it exits with a non-zero status before serving, and
 * its log names the key and the value it got, whether the value is out of range (the service's own checks) or
 * not even of the key's type (Quarkus' conversion). No broker is needed: the settings are checked first.
 */
class InvalidConfigurationTest {
    @TempDir
    Path dir;

    private String refused(String module, Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.put("kafka.bootstrap.servers", "localhost:1");
        try (ServiceProcess service =
                ServiceProcess.start(module, "256m", all, dir.resolve(module + "-" + System.nanoTime()))) {
            assertTrue(
                    service.process().waitFor(90, TimeUnit.SECONDS),
                    module + " must exit by itself:\n" + service.tail(20));
            assertNotEquals(0, service.process().exitValue(), "non-zero exit status");
            return service.output();
        }
    }

    @Test
    void ingestRefusesABatchSizeOutOfRange() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 64, 20, 1);
        String log = refused(
                "data-ingest-service", Map.of("ingest.dataset-dir", dataset.toString(), "ingest.batch-size", "0"));
        assertTrue(log.contains("ingest.batch-size must be 1..256, got 0"), log);
    }

    @Test
    void trainerRefusesASessionTimeoutTooShortToBeUseful() throws Exception {
        String log = refused("trainer-service", Map.of("trainer.claims.session-timeout", "200ms"));
        assertTrue(log.contains("trainer.claims.session-timeout must be at least 1s, got PT0.2S"), log);
    }

    @Test
    void trainerThatRequiresAGpuRefusesToStartWithoutOneNamingTheLibtorchBuild() throws Exception {
        String log = refused("trainer-service", Map.of("trainer.require-gpu", "true"));
        assertTrue(
                log.contains(
                        "trainer.require-gpu is set but the PyTorch engine sees no GPU (libtorch 2.5.1 cpu): this build has the CPU "
                                + "libtorch; package with ./mvnw -Pcuda for a GPU image"),
                log);
    }

    @Test
    void evaluatorRefusesABatchSizeOutOfRangeAndAValueOfTheWrongType() throws Exception {
        String range = refused("evaluator-service", Map.of("evaluator.batch-size", "0"));
        assertTrue(range.contains("evaluator.batch-size must be 1..10000, got 0"), range);
        String type = refused("evaluator-service", Map.of("evaluator.session-timeout", "soon"));
        assertTrue(type.contains("evaluator.session-timeout") && type.contains("soon"), type);
    }
}
