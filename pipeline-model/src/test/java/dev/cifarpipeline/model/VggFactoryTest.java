package dev.cifarpipeline.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VggFactoryTest {
    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    @Test
    void seedVgg11HasThePyTorchParameterCount() {
        try (VggInference net =
                VggInference.initialised(new ModelSpec(VggArchitecture.VGG11, VggLayout.SEED), 1, manager)) {
            assertEquals(9_272_790L, ParameterCount.trainable(net.block()), "sum(p.numel()) of the seed's VGG11");
        }
    }

    @Test
    void batchNormLayoutAddsGammaAndBetaPerConvolution() {
        try (VggInference net =
                VggInference.initialised(new ModelSpec(VggArchitecture.VGG11, VggLayout.BATCHNORM), 1, manager)) {
            // 8 convolutions with 64+128+256+256+512+512+512+512 = 2,752 channels, two parameters each
            assertEquals(9_272_790L + 2 * 2_752, ParameterCount.trainable(net.block()));
        }
    }

    @Test
    void deeperVggsHaveTheIntendedLayers() {
        // PyTorch: VGG13 adds conv 64→64 and 128→128; VGG16 adds 256→256, 512→512 twice more; VGG19 again.
        long vgg11 = 9_272_790L;
        long vgg13 = vgg11 + (64 * 64 * 9 + 64) + (128 * 128 * 9 + 128);
        long vgg16 = vgg13 + (256 * 256 * 9 + 256) + 2L * (512 * 512 * 9 + 512);
        long vgg19 = vgg16 + (256 * 256 * 9 + 256) + 2L * (512 * 512 * 9 + 512);
        long[] expected = {vgg11, vgg13, vgg16, vgg19};
        VggArchitecture[] all = VggArchitecture.values();
        for (int i = 0; i < all.length; i++) {
            try (VggInference net = VggInference.initialised(new ModelSpec(all[i], VggLayout.SEED), 1, manager)) {
                assertEquals(expected[i], ParameterCount.trainable(net.block()), all[i].id());
            }
        }
    }

    @Test
    void eachBlockHalvesTheImageAndTheHeadGivesTenLogits() {
        try (VggInference net =
                VggInference.initialised(new ModelSpec(VggArchitecture.VGG11, VggLayout.SEED), 1, manager)) {
            Shape shape = new Shape(4, 3, 32, 32);
            List<Shape> shapes = new ArrayList<>();
            for (Pair<String, Block> child : net.block().getChildren()) {
                shape = child.getValue().getOutputShapes(new Shape[] {shape})[0];
                shapes.add(shape);
            }
            assertEquals(
                    List.of(
                            new Shape(4, 64, 16, 16),
                            new Shape(4, 128, 8, 8),
                            new Shape(4, 256, 4, 4),
                            new Shape(4, 512, 2, 2),
                            new Shape(4, 512, 1, 1),
                            new Shape(4, 10)),
                    shapes);
        }
    }

    @Test
    void initialisationIsUniformWithinOneOverSquareRootOfFanIn() {
        try (VggInference net =
                VggInference.initialised(new ModelSpec(VggArchitecture.VGG11, VggLayout.SEED), 3, manager)) {
            SequentialBlock firstBlock =
                    (SequentialBlock) net.block().getChildren().get(0).getValue();
            NDArray weight = null;
            NDArray bias = null;
            for (Pair<String, Parameter> p :
                    firstBlock.getChildren().get(0).getValue().getParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    weight = p.getValue().getArray();
                } else {
                    bias = p.getValue().getArray();
                }
            }
            double bound = 1 / Math.sqrt(27); // fan_in of conv 3→64, 3×3
            float[] w = weight.toFloatArray();
            double sumSq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) <= bound, "weight " + v + " outside ±" + bound);
                sumSq += v * v;
            }
            double std = Math.sqrt(sumSq / w.length);
            assertEquals(bound / Math.sqrt(3), std, 0.01, "std of U(−b, b) is b/√3");
            for (float v : bias.toFloatArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
        }
    }

    @Test
    void savedWeightsLoadIntoAFreshNetworkAndGiveTheSameLogits() {
        ModelSpec spec = new ModelSpec(VggArchitecture.VGG11, VggLayout.BATCHNORM);
        try (VggInference original = VggInference.initialised(spec, 11, manager);
                NDManager step = manager.newSubManager()) {
            byte[] weights = ModelWeights.save(original.block());
            assertTrue(weights.length > 4 * 9_272_790L, "float32 weights plus BatchNorm statistics");
            NDArray input = step.randomNormal(new Shape(2, 3, 32, 32));
            float[] expected = original.logits(input).toFloatArray();
            try (VggInference loaded = VggInference.fromWeights(spec, weights, manager)) {
                assertArrayEquals(expected, loaded.logits(input).toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void weightsOfAnotherLayoutAreRefusedWithAReason() {
        try (VggInference seed =
                VggInference.initialised(new ModelSpec(VggArchitecture.VGG11, VggLayout.SEED), 1, manager)) {
            byte[] weights = ModelWeights.save(seed.block());
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> VggInference.fromWeights(
                            new ModelSpec(VggArchitecture.VGG11, VggLayout.BATCHNORM), weights, manager));
            assertTrue(e.getMessage().startsWith("checkpoint weights do not fit this model"), e.getMessage());
        }
    }

    @Test
    void normaliserAppliesTheSeedsMeanAndStd() {
        try (PixelNormaliser normaliser = new PixelNormaliser(manager);
                NDManager step = manager.newSubManager()) {
            byte[] pixels = new byte[2 * 3072];
            pixels[0] = (byte) 255; // image 0, R(0,0)
            pixels[1024 + 5] = (byte) 128; // image 0, G(0,5)
            pixels[3072 + 2048] = 0; // image 1, B(0,0)
            float[] out = normaliser.normalise(pixels, 0, 2, step).toFloatArray();
            assertEquals((1f - 0.4914f) / 0.2023f, out[0], 1e-5);
            assertEquals((128f / 255f - 0.4822f) / 0.1994f, out[1024 + 5], 1e-5);
            assertEquals((0f - 0.4465f) / 0.2010f, out[3072 + 2048], 1e-5);
        }
    }
}
