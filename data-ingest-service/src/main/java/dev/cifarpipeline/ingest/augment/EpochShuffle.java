package dev.cifarpipeline.ingest.augment;

import dev.cifarpipeline.dataset.Seeds;
import java.util.SplittableRandom;

/** The order of the training images in one epoch: a fresh uniform permutation per epoch, from the stream seed. */
public final class EpochShuffle {
    private static final long SHUFFLE_DOMAIN = 0x5348554646L; // keeps shuffle seeds apart from augmentation seeds

    private EpochShuffle() {}

    public static int[] permutation(long streamSeed, int epoch, int images) {
        int[] order = new int[images];
        for (int i = 0; i < images; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(Seeds.mix(streamSeed, SHUFFLE_DOMAIN, epoch));
        for (int i = images - 1; i > 0; i--) { // Fisher–Yates
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
