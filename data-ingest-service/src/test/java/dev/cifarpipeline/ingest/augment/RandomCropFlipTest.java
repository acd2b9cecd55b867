package dev.cifarpipeline.ingest.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class RandomCropFlipTest {

    /** An image whose every pixel encodes its own position: value = 1 + channel·8 + ... kept within a byte. */
    private static byte[] coordinateImage() {
        byte[] image = new byte[3072];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    image[c * 1024 + y * 32 + x] = (byte) (1 + (y * 32 + x + c * 7) % 250);
                }
            }
        }
        return image;
    }

    private static int at(byte[] image, int c, int y, int x) {
        return Byte.toUnsignedInt(image[c * 1024 + y * 32 + x]);
    }

    @Test
    void centreWindowWithoutFlipIsTheImageItself() {
        byte[] src = coordinateImage();
        byte[] dst = new byte[3072];
        RandomCropFlip.apply(new RandomCropFlip.Draw(4, 4, false), src, 0, dst, 0);
        assertEquals(Arrays.toString(src), Arrays.toString(dst));
    }

    @Test
    void topLeftWindowShiftsTheImageDownRightBehindFourZeroRowsAndColumns() {
        byte[] src = coordinateImage();
        byte[] dst = new byte[3072];
        RandomCropFlip.apply(new RandomCropFlip.Draw(0, 0, false), src, 0, dst, 0);
        for (int c = 0; c < 3; c++) {
            assertEquals(0, at(dst, c, 3, 10), "row 3 is padding");
            assertEquals(0, at(dst, c, 10, 3), "column 3 is padding");
            assertEquals(at(src, c, 0, 0), at(dst, c, 4, 4));
            assertEquals(at(src, c, 27, 27), at(dst, c, 31, 31));
        }
    }

    @Test
    void bottomRightWindowWithFlipMatchesAHandComputedPixel() {
        byte[] src = coordinateImage();
        byte[] dst = new byte[3072];
        // padded window rows 8..39, columns 8..39 → source rows 4..35, columns 4..35 (32.. are zero)
        RandomCropFlip.apply(new RandomCropFlip.Draw(8, 8, true), src, 0, dst, 0);
        // flipped: output column x shows window column 31 − x → source column 35 − x
        assertEquals(at(src, 1, 4, 31), at(dst, 1, 0, 4));
        assertEquals(at(src, 2, 10, 4), at(dst, 2, 6, 31));
        assertEquals(0, at(dst, 0, 0, 0), "source column 35 is padding");
        assertEquals(0, at(dst, 0, 29, 10), "source row 33 is padding");
    }

    /** torchvision's definition, pixel by pixel: pad with zeros, take the window, mirror it. */
    private static byte[] reference(RandomCropFlip.Draw d, byte[] src) {
        byte[] padded = new byte[3 * 40 * 40];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    padded[c * 1600 + (y + 4) * 40 + x + 4] = src[c * 1024 + y * 32 + x];
                }
            }
        }
        byte[] out = new byte[3072];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int wx = d.flip() ? 31 - x : x;
                    out[c * 1024 + y * 32 + x] = padded[c * 1600 + (y + d.top()) * 40 + wx + d.left()];
                }
            }
        }
        return out;
    }

    @Test
    void everyOneOfThe162DrawsMatchesThePixelByPixelDefinition() {
        byte[] src = coordinateImage();
        for (int top = 0; top < 9; top++) {
            for (int left = 0; left < 9; left++) {
                for (boolean flip : new boolean[] {false, true}) {
                    RandomCropFlip.Draw d = new RandomCropFlip.Draw(top, left, flip);
                    byte[] dst = new byte[3072];
                    Arrays.fill(dst, (byte) 77); // stale data must be overwritten, padding included
                    RandomCropFlip.apply(d, src, 0, dst, 0);
                    Assertions.assertArrayEquals(reference(d, src), dst, d.toString());
                }
            }
        }
    }

    @Test
    void drawsAreReproducibleAndDependOnEpochAndImage() {
        RandomCropFlip a = new RandomCropFlip(9);
        assertEquals(a.draw(3, 17), new RandomCropFlip(9).draw(3, 17));
        int differing = 0;
        for (int i = 0; i < 100; i++) {
            if (!a.draw(0, i).equals(a.draw(1, i))) {
                differing++;
            }
        }
        assertTrue(differing > 90, "a new epoch draws new crops: " + differing + " of 100 differ");
    }

    @Test
    void offsetsAndFlipsAreUniform() {
        RandomCropFlip augmentation = new RandomCropFlip(1);
        int n = 90_000;
        int[] tops = new int[9];
        int[] lefts = new int[9];
        int flips = 0;
        for (int i = 0; i < n; i++) {
            RandomCropFlip.Draw d = augmentation.draw(i / 50_000, i % 50_000);
            tops[d.top()]++;
            lefts[d.left()]++;
            flips += d.flip() ? 1 : 0;
        }
        // chi-square with 8 degrees of freedom: 26.12 is the 0.999 quantile
        assertTrue(chiSquare(tops, n) < 26.12, "top offsets uniform over 0..8");
        assertTrue(chiSquare(lefts, n) < 26.12, "left offsets uniform over 0..8");
        // flips: binomial(90,000, ½) has σ = 150; 4σ
        assertEquals(n / 2.0, flips, 600);
    }

    private static double chiSquare(int[] counts, int n) {
        double expected = (double) n / counts.length;
        double chi = 0;
        for (int c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }
}
