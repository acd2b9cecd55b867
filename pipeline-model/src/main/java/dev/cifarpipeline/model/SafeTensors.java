package dev.cifarpipeline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
 * JSON mapping each tensor name to its dtype, shape and [begin, end) byte offsets into the data that follows,
 * an optional {@code __metadata__} map of strings, then the tensors' bytes, little-endian, row-major. No code
 * runs on load, unlike a pickled {@code torch.save} file. Reading checks every offset and length against the
 * file before touching data.
 */
public final class SafeTensors {
    /** Larger headers are refused before allocation: ours are a few KB. */
    public static final int MAX_HEADER_BYTES = 16 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, Integer> DTYPE_BYTES =
            Map.of("F32", 4, "F64", 8, "I64", 8, "I32", 4, "F16", 2, "BF16", 2, "U8", 1, "I8", 1, "BOOL", 1);

    /** One tensor: dtype ({@code F32}, {@code I64}, …), shape, and its bytes as stored (little-endian). */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public static Tensor f32(long[] shape, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor("F32", shape, b.array());
        }

        public static Tensor i64Scalar(long value) {
            return new Tensor(
                    "I64",
                    new long[0],
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(value)
                            .array());
        }

        public float[] floats() {
            if (!dtype.equals("F32")) {
                throw new IllegalArgumentException("tensor is " + dtype + ", not F32");
            }
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }

    /** The parsed file: tensors in header order, and the metadata strings. */
    public record File(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

    private SafeTensors() {}

    public static byte[] write(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            int width = DTYPE_BYTES.getOrDefault(t.dtype(), -1);
            if (width < 0 || (long) width * t.elements() != t.data().length) {
                throw new IllegalArgumentException("tensor " + e.getKey() + ": " + t.data().length
                        + " bytes do not fit dtype " + t.dtype() + " and shape " + Arrays.toString(t.shape()));
            }
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", t.dtype());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.data().length);
            offset += t.data().length;
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        ByteBuffer out =
                ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        tensors.values().forEach(t -> out.put(t.data()));
        return out.array();
    }

    public static File read(byte[] file) {
        if (file.length < 8) {
            throw new IllegalArgumentException(
                    "safetensors: " + file.length + " bytes, too short for the 8-byte header length");
        }
        long headerLength =
                ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > file.length - 8) {
            throw new IllegalArgumentException("safetensors: header length " + headerLength + " does not fit a "
                    + file.length + "-byte file (limit " + MAX_HEADER_BYTES + ")");
        }
        JsonNode header;
        try {
            header = MAPPER.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("safetensors: the header is not JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw new IllegalArgumentException("safetensors: the header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = file.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Span> spans = new ArrayList<>();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue()
                        .fields()
                        .forEachRemaining(
                                m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String name = e.getKey();
            JsonNode entry = e.getValue();
            String dtype = entry.path("dtype").asText("");
            Integer width = DTYPE_BYTES.get(dtype);
            if (width == null) {
                throw new IllegalArgumentException(
                        "safetensors: tensor " + name + " has unknown dtype '" + dtype + "'");
            }
            JsonNode shapeNode = entry.path("shape");
            JsonNode offsets = entry.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IllegalArgumentException(
                        "safetensors: tensor " + name + " needs a shape array and two data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "safetensors: tensor " + name + " has a bad dimension " + shapeNode.get(i));
                }
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                } catch (ArithmeticException overflow) {
                    throw new IllegalArgumentException("safetensors: tensor " + name + " has a shape " + shapeNode
                            + " whose element count overflows");
                }
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0
                    || end < begin
                    || end > dataLength
                    || elements > dataLength
                    || end - begin != elements * width) {
                throw new IllegalArgumentException(
                        "safetensors: tensor " + name + " claims bytes [" + begin + ", " + end + ") for " + elements
                                + " " + dtype + " values; the data section has " + dataLength + " bytes");
            }
            spans.add(new Span(name, dtype, shape, begin, end));
        }
        // Every span is checked before anything is copied: overlapping entries over one region cannot make the copies
        // exceed the file.
        List<Span> ordered = new ArrayList<>(spans);
        ordered.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).begin() < ordered.get(i - 1).end()) {
                throw new IllegalArgumentException("safetensors: tensors "
                        + ordered.get(i - 1).name() + " and " + ordered.get(i).name() + " overlap at byte "
                        + ordered.get(i).begin());
            }
        }
        for (Span t : spans) {
            byte[] data = Arrays.copyOfRange(file, dataStart + (int) t.begin(), dataStart + (int) t.end());
            tensors.put(t.name(), new Tensor(t.dtype(), t.shape(), data));
        }
        return new File(tensors, metadata);
    }

    /** Where one tensor's values lie in the data section, as its header entry says. */
    private record Span(String name, String dtype, long[] shape, long begin, long end) {}
}
