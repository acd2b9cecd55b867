package dev.cifarpipeline.trainer.training;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Where this trainer trains: the PyTorch engine's libtorch build (its flavour: {@code cpu}, {@code cu124}, …, as the
 * native jar on the class path declares it) and the GPUs it sees. DJL trains on the first GPU when there is one.
 *
 * @param libtorch the libtorch version and flavour, e.g. {@code 2.5.1 cpu}
 * @param gpus     GPUs the engine sees
 * @param device   the device runs train on
 */
public record TrainingDevice(String libtorch, int gpus, String device) {
    public static TrainingDevice detect() {
        Engine engine = Engine.getEngine("PyTorch");
        Properties nativeBuild = new Properties();
        try (InputStream in =
                TrainingDevice.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in != null) {
                nativeBuild.load(in);
            }
        } catch (IOException e) {
            // the flavour stays unknown; the engine still reports its version and GPUs
        }
        return new TrainingDevice(
                engine.getVersion() + " " + nativeBuild.getProperty("flavor", "(flavour unknown)"),
                engine.getGpuCount(),
                engine.defaultDevice().toString());
    }

    /** Fails when a GPU is required and none is seen, saying which of the two usual causes it is. */
    public void require(boolean gpu) {
        if (gpu && gpus == 0) {
            throw new IllegalStateException(
                    "trainer.require-gpu is set but the PyTorch engine sees no GPU (libtorch " + libtorch + "): "
                            + (libtorch.endsWith(" cpu")
                                    ? "this build has the CPU libtorch; package with ./mvnw -Pcuda for a GPU image"
                                    : "no GPU is visible to this process (NVIDIA driver, container runtime, device reservation)"));
        }
    }

    @Override
    public String toString() {
        return "libtorch " + libtorch + ", " + gpus + " GPU(s), training on " + device;
    }
}
