package dev.cifarpipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingCheckpointTest {
    private static TrainingCheckpoint withBuffer(long... shape) {
        return new TrainingCheckpoint(
                new TrainingState(TrainingState.SCHEMA_VERSION, "r", 3, List.of(), Map.of("t:0", 4L), 0),
                new byte[] {1, 2, 3},
                List.of(new TrainingCheckpoint.Tensor(shape, new float[0])));
    }

    @Test
    void aCheckpointSurvivesItsEncoding() {
        TrainingCheckpoint back = TrainingCheckpoint.decode(withBuffer(0, 0).encode());
        assertEquals(3, back.state().step());
        assertEquals(2, back.momentumBuffers().get(0).shape().length);
    }

    /**
     * A shape of 2^32 × 2^32 multiplies to 2^64, which wraps around to 0 in a long: it passed for an empty tensor. A
     * checkpoint's SHA-256 proves it arrived as published, not that its publisher was honest.
     */
    @Test
    void aShapeWhoseProductWrapsAroundIsRefused() {
        byte[] bytes = withBuffer(0, 0).encode();
        ByteBuffer.wrap(bytes, bytes.length - 16, 16).putLong(1L << 32).putLong(1L << 32);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.decode(bytes));
        assertEquals("buffer 0 has a shape [4294967296] larger than the 8 bytes that remain", e.getMessage());
    }
}
