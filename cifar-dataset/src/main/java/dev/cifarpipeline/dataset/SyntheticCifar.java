package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A learnable stand-in for CIFAR-10, generated from a seed, for tests and for machines that cannot download
 * the real thing. Each class is a sinusoidal grating with its own orientation (18° apart) and a colour tint of
 * its own, drawn with a random phase (so a random crop does not change the class), random contrast and
 * brightness, and Gaussian pixel noise (σ = 32). Orientation alone separates the classes, so a small CNN learns
 * it in a few hundred steps while an untrained one stays at 10 %.
 *
 * <p>Deterministic: image {@code i} of a split depends only on (seed, split, i).
 */
public final class SyntheticCifar {
    /** Colour tint per class, added to the R, G and B planes. */
    private static final int[][] TINTS = {
        {40, 0, -40}, {-40, 40, 0}, {0, -40, 40}, {40, 40, -40}, {-40, 40, 40},
        {40, -40, 40}, {30, 0, 0}, {0, 30, 0}, {0, 0, 30}, {-30, -30, -30}
    };

    private static final double CYCLES_PER_PIXEL = 1.0 / 6.0;
    private static final double NOISE_SIGMA = 32.0;

    private SyntheticCifar() {}

    public static CifarSplit generate(int images, long seed, boolean testSplit) {
        if (images < 0) {
            throw new IllegalArgumentException("image count " + images + " is negative");
        }
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * ImageGeometry.BYTES_PER_IMAGE];
        for (int i = 0; i < images; i++) {
            SplittableRandom random = new SplittableRandom(Seeds.mix(seed, testSplit ? 1 : 0, i));
            int label = random.nextInt(ImageGeometry.CLASSES);
            labels[i] = (byte) label;
            draw(label, random, pixels, i * ImageGeometry.BYTES_PER_IMAGE);
        }
        return new CifarSplit(labels, pixels);
    }

    private static void draw(int label, SplittableRandom random, byte[] pixels, int offset) {
        double angle = Math.PI * label / ImageGeometry.CLASSES;
        double kx = 2 * Math.PI * CYCLES_PER_PIXEL * Math.cos(angle);
        double ky = 2 * Math.PI * CYCLES_PER_PIXEL * Math.sin(angle);
        double phase = random.nextDouble(2 * Math.PI);
        double contrast = 35 + random.nextDouble(45);
        double brightness = 90 + random.nextDouble(80);
        for (int c = 0; c < ImageGeometry.CHANNELS; c++) {
            double tint = TINTS[label][c] + random.nextDouble(-10, 10);
            for (int y = 0; y < ImageGeometry.HEIGHT; y++) {
                for (int x = 0; x < ImageGeometry.WIDTH; x++) {
                    double value = brightness
                            + tint
                            + contrast * Math.sin(kx * x + ky * y + phase)
                            + NOISE_SIGMA * gaussian(random);
                    pixels[offset + c * ImageGeometry.PIXELS_PER_CHANNEL + y * ImageGeometry.WIDTH + x] =
                            (byte) Math.max(0, Math.min(255, (int) Math.round(value)));
                }
            }
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** Generates both splits and writes them to {@code folder} in the official binary layout. */
    public static CifarDataset write(Path folder, int train, int test, long seed) {
        CifarSplit trainSplit = generate(train, seed, false);
        CifarSplit testSplit = generate(test, seed, true);
        CifarBinaryWriter.write(folder, trainSplit, testSplit);
        return new CifarDataset(folder, CifarBinaryLayout.FOLDER, trainSplit, testSplit);
    }
}
