package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.Channels;
import dev.cifarpipeline.events.CheckpointChunk;
import dev.cifarpipeline.events.CheckpointChunker;
import dev.cifarpipeline.events.CheckpointRecordCodec;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Sends a checkpoint through Kafka, never through a shared disk: its chunks, then its manifest, all keyed by
 * run so they share a partition and arrive in order. Returns once the broker acknowledged every record.
 */
@ApplicationScoped
public class CheckpointPublisher {
    private final MutinyEmitter<byte[]> checkpoints;

    public CheckpointPublisher(@Channel(Channels.CHECKPOINTS_OUT) MutinyEmitter<byte[]> checkpoints) {
        this.checkpoints = checkpoints;
    }

    public void publish(Checkpoint checkpoint, int chunkBytes) {
        String key = checkpoint.manifest().runId();
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (CheckpointChunk chunk : CheckpointChunker.split(checkpoint.manifest().checkpointId(), checkpoint.bytes(), chunkBytes)) {
            acks.add(send(key, CheckpointRecordCodec.encode(chunk)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        send(key, CheckpointRecordCodec.encode(checkpoint.manifest())).join();
    }

    private CompletableFuture<Void> send(String key, byte[] value) {
        return checkpoints.sendMessage(KafkaRecord.of(key, value)).subscribeAsCompletionStage();
    }
}
