package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Finding a run's newest checkpoint by reading back from the end of its partition, on a real (in-process) broker,
 * among other runs' checkpoints interleaved with it and more windows of records than one step back reads.
 */
@Timeout(120)
class CheckpointSearchTest {
    private static final String TOPIC = "search-test.checkpoints";
    private static final int CHUNK = 1024;

    @Test
    void findsTheRunsNewestCheckpointAmongOthersAndSkipsOneThatDoesNotVerify() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            create(kafka, 1);
            byte[] older = bytes(1, 40_000); // 40 chunks: the search steps back over several windows
            byte[] newest = bytes(2, 40_000);
            produce(kafka, "a", checkpoint("a", "a-1", 10, older));
            produce(kafka, "b", checkpoint("b", "b-1", 10, bytes(3, 30_000)));
            List<byte[]> interleavedA = checkpoint("a", "a-2", 20, newest);
            List<byte[]> interleavedB = checkpoint("b", "b-2", 20, bytes(4, 30_000));
            List<Map.Entry<String, byte[]>> interleaved = new ArrayList<>();
            for (int i = 0; i < Math.max(interleavedA.size(), interleavedB.size()); i++) {
                if (i < interleavedA.size() - 1) {
                    interleaved.add(Map.entry("a", interleavedA.get(i)));
                }
                if (i < interleavedB.size()) {
                    interleaved.add(Map.entry("b", interleavedB.get(i)));
                }
            }
            interleaved.add(Map.entry("a", interleavedA.get(interleavedA.size() - 1)));
            kafka.produceKeyed(TOPIC, interleaved);
            // A third checkpoint of run a whose manifest lies about its hash: skipped, named, the one before found.
            List<byte[]> broken = checkpoint("a", "a-3", 30, bytes(5, 5_000));
            CheckpointManifest lying = (CheckpointManifest) CheckpointRecordCodec.decode(broken.get(broken.size() - 1));
            broken.set(
                    broken.size() - 1,
                    CheckpointRecordCodec.encode(manifest("a", "a-3", 30, bytes(6, 5_000), lying.chunkCount())));
            produce(kafka, "a", broken);

            List<String> log = new ArrayList<>();
            Optional<VerifiedCheckpoint> found = CheckpointSearch.newest(
                    kafka.clientConfig(), TOPIC, "a", m -> true, 1L << 20, Duration.ofSeconds(30), "test", log::add);
            assertTrue(found.isPresent());
            assertEquals("a-2", found.get().manifest().checkpointId());
            assertArrayEquals(newest, found.get().bytes());
            assertTrue(log.stream().anyMatch(l -> l.contains("skipping checkpoint a-3")), log.toString());

            Optional<VerifiedCheckpoint> wanted = CheckpointSearch.newest(
                    kafka.clientConfig(),
                    TOPIC,
                    "a",
                    m -> m.checkpointId().equals("a-1"),
                    1L << 20,
                    Duration.ofSeconds(30),
                    "test",
                    log::add);
            assertArrayEquals(older, wanted.orElseThrow().bytes(), "an older one, asked for by id");
            assertTrue(CheckpointSearch.newest(
                            kafka.clientConfig(),
                            TOPIC,
                            "c",
                            m -> true,
                            1L << 20,
                            Duration.ofSeconds(30),
                            "test",
                            log::add)
                    .isEmpty());
        }
    }

    @Test
    void reassemblesACheckpointFromItsManifestsOffsetBack() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            create(kafka, 1);
            byte[] data = bytes(7, 20_000);
            List<byte[]> before = checkpoint("r", "r-1", 5, bytes(8, 3_000));
            produce(kafka, "r", before);
            List<byte[]> records = checkpoint("r", "r-2", 10, data);
            produce(kafka, "r", records);
            long manifestOffset = before.size() + records.size() - 1;
            Optional<VerifiedCheckpoint> again = CheckpointSearch.reassemble(
                    kafka.clientConfig(),
                    new TopicPartition(TOPIC, 0),
                    manifestOffset,
                    (CheckpointManifest) CheckpointRecordCodec.decode(records.get(records.size() - 1)),
                    1L << 20,
                    Duration.ofSeconds(30),
                    "test",
                    line -> {});
            assertArrayEquals(data, again.orElseThrow().bytes());
        }
    }

    @Test
    void aRunsRecordsAreLookedForInThePartitionItsKeyGoesTo() {
        // the producers' default partitioner: murmur2 of the key, as Kafka's own tests pin it
        assertEquals(CheckpointSearch.partitionOf("fenced", 6), CheckpointSearch.partitionOf("fenced", 6));
        for (String key : List.of("a", "b", "run-17", "sweep-3-lr0.1")) {
            int p = CheckpointSearch.partitionOf(key, 6);
            assertTrue(p >= 0 && p < 6, key + " -> " + p);
        }
    }

    private static void create(InProcessKafka kafka, int partitions) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.checkpoints(TOPIC, partitions)));
        }
    }

    private static void produce(InProcessKafka kafka, String key, List<byte[]> records) throws Exception {
        kafka.produceAll(TOPIC, key, records);
    }

    private static byte[] bytes(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<byte[]> checkpoint(String run, String id, long step, byte[] bytes) {
        return new ArrayList<>(CheckpointChunker.records(
                manifest(run, id, step, bytes, CheckpointChunker.chunkCount(bytes.length, CHUNK)), bytes, CHUNK));
    }

    private static CheckpointManifest manifest(String run, String id, long step, byte[] bytes, int chunks) {
        return new CheckpointManifest(
                CheckpointManifest.SCHEMA_VERSION,
                id,
                run,
                null,
                "vgg11",
                "batchnorm",
                "test",
                1,
                step,
                2.0,
                bytes.length,
                chunks,
                Sha256.hex(bytes),
                List.of(),
                System.currentTimeMillis());
    }
}
