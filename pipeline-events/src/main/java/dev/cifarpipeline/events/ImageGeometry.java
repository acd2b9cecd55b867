package dev.cifarpipeline.events;

import java.util.List;

/** CIFAR image geometry: 3 channels of 32×32 uint8 pixels, stored channel-major (all R, then G, then B). */
public final class ImageGeometry {
    public static final int CHANNELS = 3;
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int PIXELS_PER_CHANNEL = HEIGHT * WIDTH;
    public static final int BYTES_PER_IMAGE = CHANNELS * PIXELS_PER_CHANNEL;
    public static final int CLASSES = 10;
    /** The seed's class names, in label order. */
    public static final List<String> CLASS_NAMES =
            List.of("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private ImageGeometry() {}
}
