package dev.cifarpipeline.dataset;

import java.nio.file.Path;

/**
 * {@code java -cp cifar-dataset.jar:pipeline-events.jar dev.cifarpipeline.dataset.SyntheticCifarCommand
 * --out DIR --train N --test N --seed S [--layout bin|py]}: writes a synthetic dataset in the official binary
 * layout, or in torchvision's pickled one.
 */
public final class SyntheticCifarCommand {
    private SyntheticCifarCommand() {}

    public static void main(String[] args) {
        Path out = null;
        int train = 5_000;
        int test = 1_000;
        long seed = 0;
        String layout = "bin";
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--out" -> out = Path.of(require(args[i], value));
                    case "--train" -> train = Integer.parseInt(require(args[i], value));
                    case "--test" -> test = Integer.parseInt(require(args[i], value));
                    case "--seed" -> seed = Long.parseLong(require(args[i], value));
                    case "--layout" -> layout = require(args[i], value);
                    case "-h", "--help" -> {
                        usage();
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (out == null) {
                throw new IllegalArgumentException("--out DIR is required");
            }
            if (!layout.equals("bin") && !layout.equals("py")) {
                throw new IllegalArgumentException(
                        "--layout must be bin (cifar-10-batches-bin) or py (cifar-10-batches-py), not " + layout);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("synthetic-cifar: " + e.getMessage());
            usage();
            System.exit(2);
        }
        if (layout.equals("py")) {
            CifarPickleWriter.write(
                    out, SyntheticCifar.generate(train, seed, false), SyntheticCifar.generate(test, seed, true));
        } else {
            SyntheticCifar.write(out, train, test, seed);
        }
        System.out.printf(
                "wrote %d train and %d test synthetic images (seed %d, %s layout) to %s%n",
                train, test, seed, layout, out.toAbsolutePath());
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static void usage() {
        System.err.println(
                "usage: SyntheticCifarCommand --out DIR [--train N] [--test N] [--seed S] [--layout bin|py]");
    }
}
