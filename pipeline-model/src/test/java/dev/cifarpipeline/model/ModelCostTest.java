package dev.cifarpipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModelCostTest {
    @Test
    void vgg11sForwardPassIsCountedLayerByLayer() {
        long convolutions = 3L * 64 * 9 * 32 * 32 // block 1 at 32×32
                + 64L * 128 * 9 * 16 * 16 // block 2 at 16×16
                + (128L * 256 + 256L * 256) * 9 * 8 * 8 // block 3 at 8×8
                + (256L * 512 + 512L * 512) * 9 * 4 * 4 // block 4 at 4×4
                + (512L * 512 + 512L * 512) * 9 * 2 * 2; // block 5 at 2×2
        long head = 512L * 100 + 100L * 10;
        assertEquals(152_764_416L, convolutions);
        assertEquals(convolutions + head, ModelCost.forwardMultiplyAdds(VggArchitecture.VGG11));
    }

    @Test
    void deeperNetworksAddTheirConvolutionsAtTheirBlocksResolution() {
        long vgg11 = ModelCost.forwardMultiplyAdds(VggArchitecture.VGG11);
        // VGG13 adds one 64→64 convolution at 32×32 and one 128→128 at 16×16
        assertEquals(
                vgg11 + 64L * 64 * 9 * 32 * 32 + 128L * 128 * 9 * 16 * 16,
                ModelCost.forwardMultiplyAdds(VggArchitecture.VGG13));
    }

    @Test
    void trainingCostsThreeForwardPassesAndAMultiplyAddIsTwoFlops() {
        double forward = ModelCost.forwardMultiplyAdds(VggArchitecture.VGG11);
        assertEquals(2 * forward * 100, ModelCost.inferenceFlops(VggArchitecture.VGG11, 100), 1);
        assertEquals(6 * forward * 100, ModelCost.trainingFlops(VggArchitecture.VGG11, 100), 1);
    }
}
