package dev.cifarpipeline.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Safetensors in the seed's names, against what PyTorch itself says (tools/reference/seed_state_dict.py ran the
 * seed's module and committed its state_dict names, shapes and the logits of formula weights).
 */
class SeedStateDictTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode reference() throws IOException {
        try (InputStream in = SeedStateDictTest.class.getResourceAsStream("/reference/seed-vgg11-state-dict.json")) {
            return JSON.readTree(in);
        }
    }

    /** PyTorch's tensor k, element i: 0.05 sin(0.37 k + 0.011 i), computed in double and rounded to float as torch does. */
    private static float[] formula(int k, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (0.05 * Math.sin(0.37 * k + 0.011 * i));
        }
        return out;
    }

    private static NDArray input(NDManager manager) {
        float[] x = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.1 * i);
        }
        return manager.create(x, new Shape(2, 3, 32, 32));
    }

    @Test
    void namesAndShapesAreThoseOfTheSeedsModule() throws IOException {
        JsonNode ref = reference();
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(ModelSpec.of("vgg11", "seed"), 1, manager)) {
            List<String> expected = new ArrayList<>();
            ref.get("tensors").forEach(t -> expected.add(t.get("name").asText() + " " + t.get("shape")));
            List<String> ours = new ArrayList<>();
            SeedStateDict.parameters(net.block())
                    .forEach((name, p) -> ours.add(name + " "
                            + JSON.valueToTree(p.getArray().getShape().getShape())));
            assertEquals(expected, ours);
            assertEquals(9_272_790, ref.get("parameters").asLong());
        }
    }

    @Test
    void aFileInTheSeedsNamesGivesPyTorchsLogits() throws IOException {
        JsonNode ref = reference();
        LinkedHashMap<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        int k = 0;
        for (JsonNode t : ref.get("tensors")) {
            long[] shape = JSON.convertValue(t.get("shape"), long[].class);
            int n = 1;
            for (long d : shape) {
                n *= (int) d;
            }
            tensors.put(t.get("name").asText(), SafeTensors.Tensor.f32(shape, formula(k++, n)));
        }
        byte[] file = SafeTensors.write(tensors, Map.of());
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = SeedStateDict.load(ModelSpec.of("vgg11", "seed"), file, manager)) {
            float[] logits = net.logits(input(manager)).toFloatArray();
            JsonNode expected = ref.get("logits");
            for (int i = 0; i < 20; i++) {
                double e = expected.get(i / 10).get(i % 10).asDouble();
                assertEquals(e, logits[i], 1e-4 * Math.max(1, Math.abs(e)), "logit " + i + " of PyTorch's " + expected);
            }
        }
    }

    @Test
    void anExportFollowsTheFormatAndLoadsBackToTheSameLogits() throws IOException {
        for (String layout : List.of("seed", "batchnorm")) {
            ModelSpec spec = ModelSpec.of("vgg11", layout);
            try (NDManager manager = NDManager.newBaseManager();
                    VggInference net = VggInference.initialised(spec, 3, manager)) {
                byte[] file = SeedStateDict.export(net.block(), Map.of("run", "r1"), 42);
                long headerLength = ByteBuffer.wrap(file, 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
                assertEquals(0, headerLength % 8, "header padded to 8 bytes");
                JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
                assertEquals("r1", header.get("__metadata__").get("run").asText());
                JsonNode first = header.get("layer1.conv2D1.weight");
                assertEquals("F32", first.get("dtype").asText());
                assertEquals("[64,3,3,3]", first.get("shape").toString());
                assertEquals("[0,6912]", first.get("data_offsets").toString());
                long end = 0;
                for (var it = header.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getKey().equals("__metadata__")) {
                        assertEquals(
                                end, e.getValue().get("data_offsets").get(0).asLong(), "contiguous at " + e.getKey());
                        end = e.getValue().get("data_offsets").get(1).asLong();
                    }
                }
                assertEquals(file.length - 8 - headerLength, end, "the data section is exactly the tensors");
                if (layout.equals("batchnorm")) {
                    assertEquals(
                            "I64",
                            header.get("layer1.bn1.num_batches_tracked")
                                    .get("dtype")
                                    .asText());
                    assertEquals(
                            "[]",
                            header.get("layer1.bn1.num_batches_tracked")
                                    .get("shape")
                                    .toString());
                }
                try (VggInference back = SeedStateDict.load(spec, file, manager)) {
                    NDArray x = input(manager);
                    assertArrayEquals(
                            net.logits(x).toFloatArray(), back.logits(x).toFloatArray(), 0f, layout);
                }
            }
        }
    }

    @Test
    void filesThatDoNotFitAreRefusedNamingTheTensor() {
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(ModelSpec.of("vgg11", "seed"), 3, manager)) {
            SafeTensors.File file = SafeTensors.read(SeedStateDict.export(net.block(), Map.of(), 0));
            LinkedHashMap<String, SafeTensors.Tensor> missing = new LinkedHashMap<>(file.tensors());
            missing.remove("layer6.2.bias");
            String e = assertThrows(
                            IllegalArgumentException.class,
                            () -> SeedStateDict.load(
                                    ModelSpec.of("vgg11", "seed"), SafeTensors.write(missing, Map.of()), manager))
                    .getMessage();
            assertTrue(e.contains("missing [layer6.2.bias]"), e);
            LinkedHashMap<String, SafeTensors.Tensor> reshaped = new LinkedHashMap<>(file.tensors());
            reshaped.put("layer6.2.bias", SafeTensors.Tensor.f32(new long[] {2, 5}, new float[10]));
            e = assertThrows(
                            IllegalArgumentException.class,
                            () -> SeedStateDict.load(
                                    ModelSpec.of("vgg11", "seed"), SafeTensors.write(reshaped, Map.of()), manager))
                    .getMessage();
            assertTrue(e.contains("tensor layer6.2.bias is F32 [2, 5], the model needs F32 (10)"), e);
            e = assertThrows(
                            IllegalArgumentException.class,
                            () -> SeedStateDict.load(
                                    ModelSpec.of("vgg13", "seed"),
                                    SafeTensors.write(file.tensors(), Map.of()),
                                    manager))
                    .getMessage();
            assertTrue(e.contains("missing [layer1.conv2D0.weight"), e);
        }
        byte[] huge = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(3L << 30)
                .array();
        String e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(huge))
                .getMessage();
        assertTrue(e.contains("header length 3221225472 does not fit a 16-byte file"), e);
        byte[] lying = SafeTensors.write(
                new LinkedHashMap<>(Map.of("t", SafeTensors.Tensor.f32(new long[] {2}, new float[2]))), Map.of());
        byte[] cut = Arrays.copyOf(lying, lying.length - 4);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(cut))
                .getMessage();
        assertTrue(e.contains("tensor t claims bytes [0, 8) for 2 F32 values; the data section has 4 bytes"), e);
    }

    /** One header that makes the reader copy a region many times over, or multiply its way past a long: refused, nothing copied. */
    @Test
    void overlappingTensorsAndOverflowingShapesAreRefusedBeforeAnythingIsCopied() {
        byte[] data = new byte[1 << 20];
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) { // 2,000 entries over the same megabyte: copying first would copy 2 GB
            header.append(i == 0 ? "" : ",")
                    .append("\"t")
                    .append(i)
                    .append("\":{\"dtype\":\"U8\",\"shape\":[")
                    .append(data.length)
                    .append("],\"data_offsets\":[0,")
                    .append(data.length)
                    .append("]}");
        }
        String e = assertThrows(
                        IllegalArgumentException.class,
                        () -> SafeTensors.read(file(header.append("}").toString(), data)))
                .getMessage();
        assertTrue(e.startsWith("safetensors: tensors t") && e.endsWith(" overlap at byte 0"), e);

        String overflow =
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}";
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(file(overflow, new byte[8])))
                .getMessage();
        assertTrue(
                e.contains("tensor t has a shape [2147483647,2147483647,2147483647] whose element count overflows"), e);
    }

    private static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(json.length).put(json).put(data).array();
    }
}
