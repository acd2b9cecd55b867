package dev.cifarpipeline.dataset;

/**
 * Derives independent seeds from a tuple (a stream seed, an epoch, an image index...), so any image or batch
 * can be regenerated from its coordinates alone, in any order and on any machine.
 */
public final class Seeds {
    private Seeds() {}

    /** A well-mixed 64-bit seed for the tuple (a, b, c); a variant of SplitMix64's finaliser. */
    public static long mix(long a, long b, long c) {
        long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
