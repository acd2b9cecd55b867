package dev.cifarpipeline.ingest;

import static dev.cifarpipeline.events.ImageGeometry.CHANNELS;
import static dev.cifarpipeline.events.ImageGeometry.HEIGHT;
import static dev.cifarpipeline.events.ImageGeometry.PIXELS_PER_CHANNEL;
import static dev.cifarpipeline.events.ImageGeometry.WIDTH;

import dev.cifarpipeline.dataset.Seeds;
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
    public record Draw(int top, int left, boolean flip) {
    }

    public Draw draw(int epoch, int imageIndex) {
        SplittableRandom random = new SplittableRandom(Seeds.mix(streamSeed, epoch, imageIndex));
        return new Draw(random.nextInt(OFFSETS), random.nextInt(OFFSETS), random.nextBoolean());
    }

    /** Writes the augmented image {@code src[srcOffset..]} (CHW uint8) to {@code dst[dstOffset..]}. */
    public static void apply(Draw draw, byte[] src, int srcOffset, byte[] dst, int dstOffset) {
        int dy = draw.top() - PADDING;
        int dx = draw.left() - PADDING;
        for (int c = 0; c < CHANNELS; c++) {
            int srcPlane = srcOffset + c * PIXELS_PER_CHANNEL;
            int dstPlane = dstOffset + c * PIXELS_PER_CHANNEL;
            for (int y = 0; y < HEIGHT; y++) {
                int sy = y + dy;
                int dstRow = dstPlane + y * WIDTH;
                if (sy < 0 || sy >= HEIGHT) {
                    java.util.Arrays.fill(dst, dstRow, dstRow + WIDTH, (byte) 0);
                    continue;
                }
                int srcRow = srcPlane + sy * WIDTH;
                for (int x = 0; x < WIDTH; x++) {
                    // flip: output column x shows crop column 31 − x
                    int sx = (draw.flip() ? WIDTH - 1 - x : x) + dx;
                    dst[dstRow + x] = sx < 0 || sx >= WIDTH ? 0 : src[srcRow + sx];
                }
            }
        }
    }
}
