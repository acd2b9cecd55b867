package dev.cifarpipeline.ingest.augment;

import static dev.cifarpipeline.events.ImageGeometry.CHANNELS;
import static dev.cifarpipeline.events.ImageGeometry.HEIGHT;
import static dev.cifarpipeline.events.ImageGeometry.PIXELS_PER_CHANNEL;
import static dev.cifarpipeline.events.ImageGeometry.WIDTH;

import dev.cifarpipeline.dataset.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The seed's training augmentation with torchvision's semantics: {@code RandomCrop(32, padding=4)} pads the raw
 * uint8 image with 4 zero pixels on every side and takes a uniformly random 32×32 window (top and left offsets
 * 0..8 of the 40×40 padded image), then {@code RandomHorizontalFlip(0.5)} mirrors it with probability ½.
 *
 * <p>The draw for an image depends only on (stream seed, epoch, image index), so any augmented batch can be
 * regenerated exactly.
 */
public final class RandomCropFlip {
    public static final int PADDING = 4;
    /** Offsets 0..8: the padded side (40) minus the crop (32), plus one. */
    public static final int OFFSETS = 2 * PADDING + 1;

    private final long streamSeed;

    public RandomCropFlip(long streamSeed) {
        this.streamSeed = streamSeed;
    }

    /** The crop and flip drawn for one image in one epoch. */
    public record Draw(int top, int left, boolean flip) {}

    public Draw draw(int epoch, int imageIndex) {
        SplittableRandom random = new SplittableRandom(Seeds.mix(streamSeed, epoch, imageIndex));
        return new Draw(random.nextInt(OFFSETS), random.nextInt(OFFSETS), random.nextBoolean());
    }

    /** Writes the augmented image {@code src[srcOffset..]} (CHW uint8) to {@code dst[dstOffset..]}. */
    public static void apply(Draw draw, byte[] src, int srcOffset, byte[] dst, int dstOffset) {
        int dy = draw.top() - PADDING;
        int dx = draw.left() - PADDING;
        // Output column x shows source column x + dx (flipped: 31 − x + dx); the columns in range form one run,
        // the rest is padding. Rows and runs are computed once, so the inner loops have no bounds tests.
        int first = draw.flip() ? Math.max(0, dx) : Math.max(0, -dx);
        int last = draw.flip() ? Math.min(WIDTH - 1, WIDTH - 1 + dx) : Math.min(WIDTH - 1, WIDTH - 1 - dx);
        for (int c = 0; c < CHANNELS; c++) {
            int srcPlane = srcOffset + c * PIXELS_PER_CHANNEL;
            int dstPlane = dstOffset + c * PIXELS_PER_CHANNEL;
            for (int y = 0; y < HEIGHT; y++) {
                int sy = y + dy;
                int dstRow = dstPlane + y * WIDTH;
                if (sy < 0 || sy >= HEIGHT) {
                    Arrays.fill(dst, dstRow, dstRow + WIDTH, (byte) 0);
                    continue;
                }
                int srcRow = srcPlane + sy * WIDTH;
                Arrays.fill(dst, dstRow, dstRow + first, (byte) 0);
                if (draw.flip()) {
                    int s = srcRow + WIDTH - 1 + dx - first;
                    for (int x = first; x <= last; x++) {
                        dst[dstRow + x] = src[s--];
                    }
                } else {
                    System.arraycopy(src, srcRow + first + dx, dst, dstRow + first, last - first + 1);
                }
                Arrays.fill(dst, dstRow + last + 1, dstRow + WIDTH, (byte) 0);
            }
        }
    }
}
