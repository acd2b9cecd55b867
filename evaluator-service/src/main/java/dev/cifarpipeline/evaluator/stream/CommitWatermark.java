package dev.cifarpipeline.evaluator.stream;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How far the evaluators' group may commit on a partition: past the record just handled, but never past the
 * first chunk of a checkpoint of that partition still being reassembled, so that an evaluator taking the partition
 * over (after a crash or a rebalance) reads every chunk of it again. Framework-free; one per consumer.
 */
public final class CommitWatermark {
    /** Where each checkpoint being reassembled began. */
    private final Map<String, Long> firstOffset = new HashMap<>();

    private final Map<String, Integer> partitionOf = new HashMap<>();

    /** A chunk of {@code checkpointId} read at {@code offset} of {@code partition}; the first chunk read holds the mark. */
    public void chunk(String checkpointId, int partition, long offset) {
        firstOffset.putIfAbsent(checkpointId, offset);
        partitionOf.put(checkpointId, partition);
    }

    /** The checkpoint's manifest was read: whole or not, its chunks hold nothing back any more. */
    public void complete(String checkpointId) {
        firstOffset.remove(checkpointId);
        partitionOf.remove(checkpointId);
    }

    /**
     * The offset to commit once the record at {@code offset} of {@code partition} is handled.
     *
     * @param pending the checkpoints still being reassembled; any other (one the assembler dropped) holds nothing back
     */
    public long safeOffset(int partition, long offset, Set<String> pending) {
        firstOffset.keySet().retainAll(pending);
        partitionOf.keySet().retainAll(firstOffset.keySet());
        long safe = offset + 1;
        for (Map.Entry<String, Long> e : firstOffset.entrySet()) {
            if (partitionOf.get(e.getKey()) == partition) {
                safe = Math.min(safe, e.getValue());
            }
        }
        return safe;
    }

    /**
     * Partitions given up: the next owner reassembles their checkpoints from the committed offsets. Returns the ids of
     * the checkpoints begun on them, whose chunks the reader can let go.
     */
    public Set<String> revoked(Collection<Integer> partitions) {
        Set<String> leaving = new HashSet<>();
        partitionOf.entrySet().removeIf(e -> {
            if (partitions.contains(e.getValue())) {
                firstOffset.remove(e.getKey());
                leaving.add(e.getKey());
                return true;
            }
            return false;
        });
        return leaving;
    }
}
