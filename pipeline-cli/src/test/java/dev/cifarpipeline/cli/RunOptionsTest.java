package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
    @Test
    void defaultsAreTheStablePresetOnVgg11ForOneEpoch() {
        RunOptions o = RunOptions.parse(List.of());
        assertEquals("stable", o.preset());
        assertEquals("vgg11", o.model());
        assertEquals(1, o.epochs());
        assertEquals(128, o.batchSize());
        assertTrue(o.data().isEmpty()
                && !o.synthetic()
                && !o.download()
                && o.report().isEmpty());
    }

    @Test
    void everyOptionIsRead() {
        RunOptions o = RunOptions.parse(List.of(
                "--data",
                "/d",
                "--epochs",
                "60",
                "--preset",
                "seed",
                "--model",
                "vgg16",
                "--limit-train",
                "500",
                "--limit-test",
                "100",
                "--report",
                "out",
                "--run-id",
                "r1",
                "--batch-size",
                "64",
                "--kafka-port",
                "29092",
                "--kafka-security",
                "sasl-ssl"));
        assertEquals(Path.of("/d"), o.data().orElseThrow());
        assertEquals(60, o.epochs());
        assertEquals("seed", o.preset());
        assertEquals("vgg16", o.model());
        assertEquals(500, o.limitTrain().getAsInt());
        assertEquals(100, o.limitTest().getAsInt());
        assertEquals(Path.of("out"), o.report().orElseThrow());
        assertEquals("r1", o.runId().orElseThrow());
        assertEquals(64, o.batchSize());
        assertEquals(29092, o.kafkaPort());
        assertEquals("sasl-ssl", o.kafkaSecurity().orElseThrow());
        assertTrue(
                RunOptions.parse(List.of()).kafkaSecurity().isEmpty(), "a new broker's default, a resumed one's own");
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(error("--epoch", "3").startsWith("unknown option '--epoch'"));
        assertEquals("--epochs takes a positive whole number, got 'ten'", error("--epochs", "ten"));
        assertEquals("--epochs takes a positive whole number, got '0'", error("--epochs", "0"));
        assertEquals("--preset takes one of seed, stable, got 'fast'", error("--preset", "fast"));
        assertEquals("--model takes one of vgg11, vgg13, vgg16, vgg19, got 'resnet'", error("--model", "resnet"));
        assertEquals("--data needs a value", error("--data"));
        assertEquals("--kafka-security takes one of plaintext, sasl-ssl, got 'tls'", error("--kafka-security", "tls"));
        assertEquals("choose one of --data, --download and --synthetic", error("--synthetic", "--download"));
        assertTrue(error("--resume", "a", "--run-id", "b").contains("choose one"));
        assertTrue(error("--run-id", "a b").contains("must be 1-64 letters"));
    }

    @Test
    void setValuesAreTypedByTheirKeyAndGoIntoTheSubmittedSpec() {
        RunOptions o = RunOptions.parse(List.of(
                "--epochs", "4", "--set", "maxLearningRate=0.05", "--set", "weightDecay=5e-4", "--set", "seed=7"));
        assertEquals(0.05, o.specValues().get("maxLearningRate"));
        RunSpec spec = o.spec("lr05");
        assertEquals("lr05", spec.runId());
        assertEquals(4, spec.epochs());
        assertEquals(0.05, spec.maxLearningRate());
        assertEquals(5e-4, spec.weightDecay());
        assertEquals(7L, ((Number) spec.seed()).longValue());
        assertEquals(null, RunOptions.parse(List.of()).spec("plain").maxLearningRate(), "the preset's own");
    }

    @Test
    void setMistakesNameTheKeyAndWhatIsWrong() {
        String unknown = error("--set", "lr=0.1");
        assertTrue(
                unknown.startsWith("--set 'lr=0.1': unknown run-spec key 'lr'; --set takes layout, scheduleEpochs,")
                        && !unknown.contains("runId"),
                unknown);
        assertEquals(
                "--set 'maxLearningRate=fast': maxLearningRate must be a number",
                error("--set", "maxLearningRate=fast"));
        assertTrue(error("--set", "maxLearningRate=-1").contains("maxLearningRate must be a positive number"));
        assertEquals("--set epochs: use --epochs", error("--set", "epochs=3"));
        assertEquals("--set runId: use --run-id", error("--set", "runId=x"));
        assertEquals("--set 'weightDecay' is not key=value", error("--set", "weightDecay"));
        assertEquals("--set weightDecay is given twice", error("--set", "weightDecay=0", "--set", "weightDecay=1e-4"));
        assertTrue(error("--resume", "r", "--set", "weightDecay=0").contains("--set is for a new run"));
    }

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of(args)))
                .getMessage();
    }
}
