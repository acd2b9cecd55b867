package dev.cifarpipeline.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import dev.cifarpipeline.events.ImageGeometry;

/**
 * Builds the seed's VGG in DJL: five blocks of 3×3 convolutions (padding 1), each block ending in a 2×2 max
 * pool, then flatten (512) → Linear(512, 100) → ReLU → Linear(100, 10). DJL's model-zoo VGG is a different
 * network (4096-wide head, 28 M parameters), hence this one.
 */
public final class VggFactory {
    public static final int HIDDEN_UNITS = 100;
    public static final float DROPOUT_RATE = 0.5f;
    /** DJL's momentum is the weight of the old running statistic: 0.9 here is PyTorch's {@code momentum=0.1}. */
    public static final float BATCHNORM_MOMENTUM = 0.9f;

    public static final float BATCHNORM_EPSILON = 1e-5f;
    public static final Shape INPUT_SHAPE =
            new Shape(1, ImageGeometry.CHANNELS, ImageGeometry.HEIGHT, ImageGeometry.WIDTH);

    private VggFactory() {}

    public static SequentialBlock build(ModelSpec spec) {
        SequentialBlock net = new SequentialBlock();
        for (int b = 0; b < VggArchitecture.BLOCK_CHANNELS.size(); b++) {
            SequentialBlock block = new SequentialBlock();
            int channels = VggArchitecture.BLOCK_CHANNELS.get(b);
            for (int c = 0; c < spec.architecture().convolutionsPerBlock().get(b); c++) {
                block.add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(channels)
                        .build());
                if (spec.layout() == VggLayout.BATCHNORM) {
                    block.add(BatchNorm.builder()
                            .optMomentum(BATCHNORM_MOMENTUM)
                            .optEpsilon(BATCHNORM_EPSILON)
                            .build());
                    block.add(Activation.reluBlock());
                } else {
                    block.add(Activation.reluBlock());
                    block.add(Dropout.builder().optRate(DROPOUT_RATE).build());
                }
            }
            block.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            net.add(block);
        }
        net.add(new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(HIDDEN_UNITS).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(ImageGeometry.CLASSES).build()));
        return net;
    }
}
