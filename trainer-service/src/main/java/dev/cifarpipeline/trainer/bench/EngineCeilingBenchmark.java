package dev.cifarpipeline.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.cifarpipeline.model.ModelCost;
import dev.cifarpipeline.model.VggArchitecture;
import java.util.Arrays;
import java.util.Locale;

/**
 * What this machine can do at all through the engine the services use (DJL's libtorch, its default threads, all
 * cores): dense fp32 throughput of a large matrix product and of a VGG-sized 3×3 convolution. The services' achieved
 * FLOP/s (images/s × {@link ModelCost}) are set against the better of the two: the fraction of the machine a service
 * uses. bf16 is not measured here: DJL 0.33's PyTorch engine aborts the JVM (a native {@code terminate}) on creating
 * or casting to any BFLOAT16 tensor, so bf16 is out of the services' reach on this engine; {@code
 * tools/reference/engine_ceiling.py} measures it through PyTorch for the record. Prints one JSON line.
 *
 * <p>Arguments: repetitions per measurement (default 10).
 */
public final class EngineCeilingBenchmark {
    /** A square product big enough to run at the engine's full rate. */
    static final int MATRIX = 2048;
    /** The shape of VGG's fourth block at batch 128: 256 channels of 8×8 in, 256 out. */
    static final Shape CONV_INPUT = new Shape(128, 256, 8, 8);

    static final Shape CONV_WEIGHT = new Shape(256, 256, 3, 3);

    private EngineCeilingBenchmark() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Engine.getEngine("PyTorch");
        double matmulFlop = 2.0 * MATRIX * MATRIX * MATRIX;
        double convFlop = 2.0
                * CONV_INPUT.get(0)
                * CONV_WEIGHT.get(0)
                * CONV_WEIGHT.get(1)
                * 9
                * CONV_INPUT.get(2)
                * CONV_INPUT.get(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(MATRIX, MATRIX));
            NDArray b = manager.randomNormal(new Shape(MATRIX, MATRIX));
            NDArray x = manager.randomNormal(CONV_INPUT);
            NDArray w = manager.randomNormal(CONV_WEIGHT).mul(0.02);
            double fp32Matmul = rate(matmulFlop, reps, a, b, NDArray::matMul);
            double fp32Conv = rate(convFlop, reps, x, w, EngineCeilingBenchmark::conv);
            System.out.printf(
                    Locale.ROOT,
                    "{\"engine_fp32_matmul_gflops\":%.1f,\"engine_fp32_conv_gflops\":%.1f,"
                            + "\"engine_fp32_gflops\":%.1f,\"vgg11_forward_multiply_adds\":%d,"
                            + "\"vgg11_inference_flop_per_image\":%.0f,\"vgg11_training_flop_per_image\":%.0f,"
                            + "\"threads\":%d}%n",
                    fp32Matmul / 1e9,
                    fp32Conv / 1e9,
                    Math.max(fp32Matmul, fp32Conv) / 1e9,
                    ModelCost.forwardMultiplyAdds(VggArchitecture.VGG11),
                    ModelCost.inferenceFlops(VggArchitecture.VGG11, 1),
                    ModelCost.trainingFlops(VggArchitecture.VGG11, 1),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static NDArray conv(NDArray input, NDArray weight) {
        return Conv2d.conv2d(input, weight, null, new Shape(1, 1), new Shape(1, 1))
                .singletonOrThrow();
    }

    /** FLOP/s of {@code op}: the median of {@code reps} timed calls after two untimed ones. */
    private static double rate(
            double flop, int reps, NDArray left, NDArray right, java.util.function.BinaryOperator<NDArray> op) {
        double[] seconds = new double[reps];
        for (int i = -2; i < reps; i++) {
            try (NDManager scope = left.getManager().newSubManager()) {
                long start = System.nanoTime();
                NDArray out = op.apply(left, right);
                out.attach(scope);
                out.flatten().get(0).toType(DataType.FLOAT32, false).getFloat(); // the result exists, not a promise
                if (i >= 0) {
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        return flop / seconds[reps / 2];
    }
}
