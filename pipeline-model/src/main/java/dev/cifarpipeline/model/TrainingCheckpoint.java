package dev.cifarpipeline.model;

import dev.cifarpipeline.events.EventJson;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a checkpoint holds: the {@link TrainingState}, the weights (DJL's parameter format, BatchNorm statistics
 * included) and the optimizer's momentum buffers, one per trainable parameter in the block's parameter order
 * ({@code null} where a parameter has none yet). The evaluator reads only the weights.
 *
 * <pre>
 * "CFTC" | version 1 | state length (4) | state JSON | weights length (4) | weights
 *        | buffer count (4) | per buffer: present (1) [rank (1) | dims (8 each) | float32 values]
 * </pre>
 * Every length is checked against the bytes that remain before anything is allocated.
 */
public record TrainingCheckpoint(TrainingState state, byte[] weights, List<Tensor> momentumBuffers) {
    public static final String FORMAT = "pipeline-checkpoint-v1";
    private static final int MAGIC = 0x43465443; // "CFTC"
    private static final byte VERSION = 1;

    /** A float32 tensor: its shape and its values. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " does not hold " + values.length + " values");
            }
        }
    }

    public byte[] encode() {
        byte[] json = EventJson.write(state);
        long size = 4 + 1 + 4 + json.length + 4 + weights.length + 4;
        for (Tensor t : momentumBuffers) {
            size += 1 + (t == null ? 0 : 1 + 8L * t.shape().length + 4L * t.values().length);
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("checkpoint of " + size + " bytes is too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(MAGIC)
                .put(VERSION)
                .putInt(json.length)
                .put(json)
                .putInt(weights.length)
                .put(weights)
                .putInt(momentumBuffers.size());
        for (Tensor t : momentumBuffers) {
            if (t == null) {
                out.put((byte) 0);
                continue;
            }
            out.put((byte) 1).put((byte) t.shape().length);
            for (long d : t.shape()) {
                out.putLong(d);
            }
            out.asFloatBuffer().put(t.values());
            out.position(out.position() + 4 * t.values().length);
        }
        return out.array();
    }

    public static TrainingCheckpoint decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.remaining() < 5 || in.getInt() != MAGIC) {
                throw new IllegalArgumentException("not a " + FORMAT + " checkpoint (bad magic at byte 0)");
            }
            int version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException(
                        "checkpoint version " + version + " at byte 4; this build reads " + VERSION);
            }
            byte[] json = new byte[bounded(in, in.getInt(), 1, "state length")];
            in.get(json);
            TrainingState state = EventJson.read(json, TrainingState.class);
            byte[] weights = new byte[bounded(in, in.getInt(), 1, "weights length")];
            in.get(weights);
            int count = bounded(in, in.getInt(), 1, "buffer count");
            List<Tensor> buffers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (in.get() == 0) {
                    buffers.add(null);
                    continue;
                }
                int rank = in.get();
                if (rank < 0 || rank > 8) {
                    throw new IllegalArgumentException("buffer " + i + " has rank " + rank);
                }
                long[] shape = new long[rank];
                long n = 1;
                for (int r = 0; r < rank; r++) {
                    shape[r] = in.getLong();
                    // a product that wraps around could pass for a small tensor: refuse it before it does
                    if (shape[r] < 0 || shape[r] > in.remaining() || (n = n * shape[r]) > in.remaining()) {
                        throw new IllegalArgumentException(
                                "buffer " + i + " has a shape " + Arrays.toString(Arrays.copyOf(shape, r + 1))
                                        + " larger than the " + in.remaining() + " bytes that remain");
                    }
                }
                float[] values = new float[bounded(in, n, 4, "buffer " + i + " size")];
                in.asFloatBuffer().get(values);
                in.position(in.position() + 4 * values.length);
                buffers.add(new Tensor(shape, values));
            }
            return new TrainingCheckpoint(state, weights, buffers);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("checkpoint ends early (truncated)", e);
        }
    }

    /** {@code count} elements of {@code elementBytes} each must fit in what remains of {@code in}. */
    private static int bounded(ByteBuffer in, long count, int elementBytes, String what) {
        if (count < 0 || count > in.remaining() / elementBytes) {
            throw new IllegalArgumentException(what + " " + count + " at byte " + in.position() + " exceeds the "
                    + in.remaining() + " bytes that remain");
        }
        return (int) count;
    }
}
