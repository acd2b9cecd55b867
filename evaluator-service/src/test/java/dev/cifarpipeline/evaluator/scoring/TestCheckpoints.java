package dev.cifarpipeline.evaluator.scoring;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.ModelWeights;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.TrainingState;
import dev.cifarpipeline.model.VggInference;
import java.util.List;
import java.util.Map;

/** Checkpoint records as a trainer writes them, from freshly initialised weights, for evaluator tests. */
public final class TestCheckpoints {
    static final int CHUNK_BYTES = CheckpointRecordCodec.DEFAULT_CHUNK_BYTES;

    private TestCheckpoints() {}

    /** The encoded chunk records followed by the manifest record. */
    public static List<byte[]> records(String runId, String checkpointId, int epoch, long seed) {
        ModelSpec spec = ModelSpec.of("vgg11", "batchnorm");
        byte[] weights;
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(spec, seed, manager)) {
            weights = ModelWeights.save(net.block());
        }
        TrainingState state =
                new TrainingState(TrainingState.SCHEMA_VERSION, runId, epoch * 10L, List.of(), Map.of(), seed);
        byte[] bytes = new TrainingCheckpoint(state, weights, List.of()).encode();
        return CheckpointChunker.records(
                new CheckpointManifest(
                        CheckpointManifest.SCHEMA_VERSION,
                        checkpointId,
                        runId,
                        null,
                        "vgg11",
                        "batchnorm",
                        TrainingCheckpoint.FORMAT,
                        epoch,
                        epoch * 10L,
                        2.0,
                        bytes.length,
                        CheckpointChunker.chunkCount(bytes.length, CHUNK_BYTES),
                        Sha256.hex(bytes),
                        List.of(),
                        System.currentTimeMillis()),
                bytes,
                CHUNK_BYTES);
    }
}
