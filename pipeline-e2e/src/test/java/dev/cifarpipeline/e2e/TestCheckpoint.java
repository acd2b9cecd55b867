package dev.cifarpipeline.e2e;

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

/**
 * A checkpoint as the trainer writes it, from freshly initialised VGG11 weights (it scores near chance; what the
 * tests that use it count is how often it is scored), as its records: chunks, then the manifest last.
 */
record TestCheckpoint(String id, String run, List<byte[]> records) {
    static TestCheckpoint of(String run, int epoch) throws Exception {
        ModelSpec spec = ModelSpec.of("vgg11", "batchnorm");
        byte[] weights;
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(spec, epoch, manager)) {
            weights = ModelWeights.save(net.block());
        }
        byte[] bytes = new TrainingCheckpoint(
                        new TrainingState(TrainingState.SCHEMA_VERSION, run, epoch * 10L, List.of(), Map.of(), 0),
                        weights,
                        List.of())
                .encode();
        String id = run + "-e" + epoch;
        int chunkBytes = CheckpointRecordCodec.DEFAULT_CHUNK_BYTES;
        CheckpointManifest manifest = new CheckpointManifest(
                CheckpointManifest.SCHEMA_VERSION,
                id,
                run,
                null,
                "vgg11",
                "batchnorm",
                TrainingCheckpoint.FORMAT,
                epoch,
                epoch * 10L,
                2.0,
                bytes.length,
                CheckpointChunker.chunkCount(bytes.length, chunkBytes),
                Sha256.hex(bytes),
                List.of(),
                System.currentTimeMillis());
        return new TestCheckpoint(id, run, CheckpointChunker.records(manifest, bytes, chunkBytes));
    }

    List<byte[]> chunks() {
        return records.subList(0, records.size() - 1);
    }

    byte[] manifest() {
        return records.get(records.size() - 1);
    }
}
