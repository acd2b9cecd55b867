package dev.cifarpipeline.evaluator.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageInputTest {
    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | (x + y));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void aPngBecomesChannelMajorBytes() throws IOException {
        byte[] chw = ImageInput.decode(png(32, 32), "image/png");
        byte[] expected = new byte[3072];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                expected[y * 32 + x] = (byte) (x * 8);
                expected[1024 + y * 32 + x] = (byte) (y * 8);
                expected[2048 + y * 32 + x] = (byte) (x + y);
            }
        }
        assertArrayEquals(expected, chw);
    }

    @Test
    void rawBytesPassAsTheyAre() {
        byte[] raw = new byte[3072];
        raw[5] = 7;
        assertArrayEquals(raw, ImageInput.decode(raw, "application/octet-stream"));
    }

    @Test
    void badImagesAreRefusedSayingWhatIsWrong() throws IOException {
        assertTrue(message(png(64, 48), "image/png").contains("the image is 64x48; the model takes 32x32"));
        assertTrue(message(new byte[100], "application/octet-stream")
                .contains("raw image has 100 bytes; a 32x32 CHW uint8 image has 3072"));
        assertTrue(message("not a png at all".getBytes(), "image/png").contains("not a readable PNG"));
        assertTrue(message(new byte[3072], "image/jpeg").contains("unsupported content type 'image/jpeg'"));
        assertTrue(message(new byte[0], "image/png").contains("the request body is empty"));
    }

    /** A 57-byte PNG that declares 16384×16384: refused from its header, before a decoder allocates a gigabyte for it. */
    @Test
    void aPngDeclaringAHugeSizeIsRefusedBeforeItIsDecoded() throws IOException {
        byte[] header = Arrays.copyOf(png(32, 32), 33); // signature and IHDR of a real PNG ...
        ByteBuffer.wrap(header, 16, 8).putInt(16384).putInt(16384); // ... now declaring 16384x16384
        byte[] hostile = Arrays.copyOf(header, 57);
        assertEquals(
                "the image is 16384x16384; the model takes 32x32 (CIFAR-10 size; read from the PNG header at byte 16, nothing decoded)",
                message(hostile, "image/png"));
    }

    private static String message(byte[] body, String type) {
        return assertThrows(IllegalArgumentException.class, () -> ImageInput.decode(body, type))
                .getMessage();
    }
}
