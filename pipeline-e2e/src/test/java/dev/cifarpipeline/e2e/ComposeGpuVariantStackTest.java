package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What can be checked of {@code docker-compose.gpu.yml} on a machine without a GPU (this one and CI). Its trainer
 * image is built by the same Dockerfile from whatever jars are packaged; here they hold the CPU libtorch (the CUDA
 * one, 2.5 GB, comes with {@code ./mvnw -Pcuda}), which is what a user who forgot {@code -Pcuda} would get. The
 * override must ask Docker for an NVIDIA GPU for real, and a trainer that sees none must refuse to start and say
 * why, rather than train on the CPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ComposeGpuVariantStackTest {
    private static final Path WORK = Path.of("target", "compose-check").toAbsolutePath();
    private ComposeStack stack;
    private String image;

    @BeforeAll
    void renderTheVariant() throws Exception {
        stack = new ComposeStack(
                "cifarcheckgpu",
                List.of("docker-compose.yml", "docker-compose.gpu.yml"),
                ComposeStackTest.smallStack(ComposeStackTest.syntheticDataset()),
                WORK.resolve("logs"));
        stack.down();
        JsonNode trainer = new ObjectMapper(new YAMLFactory())
                .readTree(stack.compose(Duration.ofMinutes(1), "config")
                        .orFail("config")
                        .output())
                .get("services")
                .get("trainer-service");
        image = trainer.get("image").asText();
        assertTrue(image.endsWith("-cuda"), image);
        assertEquals(
                "true", trainer.get("environment").get("TRAINER_REQUIRE_GPU").asText());
        JsonNode device = trainer.get("deploy")
                .get("resources")
                .get("reservations")
                .get("devices")
                .get(0);
        assertEquals("nvidia", device.get("driver").asText());
        assertEquals("gpu", device.get("capabilities").get(0).asText());
    }

    @AfterAll
    void removeTheImage() throws Exception {
        stack.down();
        ComposeStack.docker(
                Duration.ofMinutes(1),
                "image",
                "rm",
                image); // built from the CPU jars: not to be mistaken for a CUDA image later
    }

    @Test
    void theGpuTrainerAsksDockerForAnNvidiaGpuAndRefusesToStartWhereItSeesNone() throws Exception {
        stack.compose(Duration.ofMinutes(3), "build", "trainer-service").orFail("build the -cuda image");
        ComposeStack.Result up = stack.compose(Duration.ofMinutes(3), "up", "--detach", "--no-deps", "trainer-service");
        assertNotEquals(
                0, up.status(), "no NVIDIA runtime here: Docker must refuse the device request\n" + up.output());
        assertTrue(up.output().contains("could not select device driver \"nvidia\""), up.output());

        // The same image where a container starts but sees no GPU (what the NVIDIA runtime gives a host without one)
        ComposeStack.Result run = ComposeStack.docker(
                Duration.ofMinutes(2),
                "run",
                "--rm",
                "-e",
                "TRAINER_REQUIRE_GPU=true",
                "-e",
                "KAFKA_BOOTSTRAP_SERVERS=localhost:1",
                image);
        assertNotEquals(0, run.status(), run.output());
        assertTrue(
                run.output()
                        .contains(
                                "trainer.require-gpu is set but the PyTorch engine sees no GPU (libtorch 2.5.1 cpu): this build has the "
                                        + "CPU libtorch; package with ./mvnw -Pcuda for a GPU image"),
                run.output());
    }
}
