package dev.cifarpipeline.model;

import java.util.Objects;

/** Which network to build: the one fact trainer and evaluator must agree on to exchange weights. */
public record ModelSpec(VggArchitecture architecture, VggLayout layout) {
    public ModelSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(layout, "layout");
    }

    public static ModelSpec of(String architecture, String layout) {
        return new ModelSpec(VggArchitecture.parse(architecture), VggLayout.parse(layout));
    }

    @Override
    public String toString() {
        return architecture.id() + "/" + layout.id();
    }
}
