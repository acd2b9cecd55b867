package dev.cifarpipeline.model;

import java.util.List;
import java.util.Locale;

/**
 * The VGG depths the seed defines: five blocks of 3×3 convolutions with (1,64) (1,128) (2,256) (2,512) (2,512)
 * for VGG11 and more convolutions per block for the deeper ones. The seed's own {@code blockVGG} reuses module
 * names when a block has three or more convolutions, so its VGG16/19 silently lose layers; these are the
 * intended layers.
 */
public enum VggArchitecture {
    VGG11(List.of(1, 1, 2, 2, 2)),
    VGG13(List.of(2, 2, 2, 2, 2)),
    VGG16(List.of(2, 2, 3, 3, 3)),
    VGG19(List.of(2, 2, 4, 4, 4));

    /** Output channels of the five blocks, the same for every depth. */
    public static final List<Integer> BLOCK_CHANNELS = List.of(64, 128, 256, 512, 512);

    private final List<Integer> convolutionsPerBlock;

    VggArchitecture(List<Integer> convolutionsPerBlock) {
        this.convolutionsPerBlock = convolutionsPerBlock;
    }

    public List<Integer> convolutionsPerBlock() {
        return convolutionsPerBlock;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VggArchitecture parse(String id) {
        for (VggArchitecture a : values()) {
            if (a.id().equalsIgnoreCase(id.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown model '" + id + "': expected one of vgg11, vgg13, vgg16, vgg19");
    }
}
