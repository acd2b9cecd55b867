package dev.cifarpipeline.evaluator.api;

import dev.cifarpipeline.events.ImageGeometry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * One image for prediction, as the network takes it: 32×32, CHW uint8 (all red, then green, then blue). Accepts
 * a PNG (any colour type ImageIO reads; alpha ignored, grey replicated) or the 3,072 raw CHW bytes themselves.
 * Anything else is refused with what was wrong.
 */
public final class ImageInput {
    public static final String RAW = "application/octet-stream";
    public static final String PNG = "image/png";

    private ImageInput() {}

    public static byte[] decode(byte[] body, String contentType) {
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("no image: the request body is empty");
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith(RAW)) {
            if (body.length != ImageGeometry.BYTES_PER_IMAGE) {
                throw new IllegalArgumentException("raw image has " + body.length
                        + " bytes; a 32x32 CHW uint8 image has " + ImageGeometry.BYTES_PER_IMAGE);
            }
            return body;
        }
        if (!type.startsWith(PNG)) {
            throw new IllegalArgumentException("unsupported content type '" + contentType + "': send " + PNG + " or "
                    + RAW + " (3,072 CHW bytes)");
        }
        requireCifarSizedPng(body);
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(body));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the body is not a readable PNG: " + e.getMessage());
        }
        if (image == null) {
            throw new IllegalArgumentException("the body is not a readable PNG (" + body.length + " bytes)");
        }
        if (image.getWidth() != ImageGeometry.WIDTH || image.getHeight() != ImageGeometry.HEIGHT) {
            throw new IllegalArgumentException("the image is " + image.getWidth() + "x" + image.getHeight()
                    + "; the model takes " + ImageGeometry.WIDTH + "x" + ImageGeometry.HEIGHT + " (CIFAR-10 size)");
        }
        byte[] chw = new byte[ImageGeometry.BYTES_PER_IMAGE];
        for (int y = 0; y < ImageGeometry.HEIGHT; y++) {
            for (int x = 0; x < ImageGeometry.WIDTH; x++) {
                int rgb = image.getRGB(x, y);
                int at = y * ImageGeometry.WIDTH + x;
                chw[at] = (byte) (rgb >> 16);
                chw[ImageGeometry.PIXELS_PER_CHANNEL + at] = (byte) (rgb >> 8);
                chw[2 * ImageGeometry.PIXELS_PER_CHANNEL + at] = (byte) rgb;
            }
        }
        return chw;
    }

    /**
     * Reads the size a PNG declares in its header (the IHDR chunk that must come first) and refuses anything but
     * 32×32 before a decoder allocates for it: a 260 KB file may declare 16384×16384 (a gigabyte of pixels).
     */
    static void requireCifarSizedPng(byte[] body) {
        if (body.length < 24 || !Arrays.equals(body, 0, 8, PNG_SIGNATURE, 0, 8)) {
            throw new IllegalArgumentException(
                    "the body is not a readable PNG: no PNG signature at byte 0 (" + body.length + " bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(body, 8, 16);
        int length = header.getInt();
        int type = header.getInt();
        if (length != 13 || type != IHDR) {
            throw new IllegalArgumentException(
                    "the body is not a readable PNG: its first chunk at byte 8 is not a 13-byte IHDR");
        }
        long width = Integer.toUnsignedLong(header.getInt());
        long height = Integer.toUnsignedLong(header.getInt());
        if (width != ImageGeometry.WIDTH || height != ImageGeometry.HEIGHT) {
            throw new IllegalArgumentException("the image is " + width + "x" + height + "; the model takes "
                    + ImageGeometry.WIDTH + "x" + ImageGeometry.HEIGHT
                    + " (CIFAR-10 size; read from the PNG header at byte 16, nothing decoded)");
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR = 0x49484452;
}
