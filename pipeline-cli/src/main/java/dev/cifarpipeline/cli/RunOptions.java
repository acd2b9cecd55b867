package dev.cifarpipeline.cli;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The options of {@code bin/pipeline run}. Parsing refuses unknown options and bad values with a message
 * naming the option.
 *
 * @param data         {@code --data DIR}: CIFAR-10 in either official layout
 * @param download     {@code --download}: fetch and verify the official archive into {@code ./data} first
 * @param synthetic    {@code --synthetic}: the generated stand-in dataset
 * @param epochs       {@code --epochs N}
 * @param preset       {@code --preset seed|stable}
 * @param model        {@code --model vgg11|vgg13|vgg16|vgg19}
 * @param limitTrain   {@code --limit-train N}: the first N training images
 * @param limitTest    {@code --limit-test N}: the first N test images
 * @param report       {@code --report DIR}: where summary.json, the chart, best.safetensors and the logs go (default reports/RUN)
 * @param resume       {@code --resume RUN}: follow an existing run (its trainer resumes it from its checkpoint)
 * @param runId        {@code --run-id ID}: the new run's name (default: generated)
 * @param batchSize    {@code --batch-size N} (the seed: 128)
 * @param kafkaPort    {@code --kafka-port N}: the local broker's port (default 19092)
 * @param kafkaSecurity {@code --kafka-security plaintext|sasl-ssl}: the local broker's client listener (a new run's
 *                     broker; a resumed run's broker keeps what it was made with)
 * @param specValues   {@code --set key=value}, repeatable: any other run-spec value of the new run (maxLearningRate,
 *                     weightDecay, scheduleEpochs, seed, ...), typed and checked as the trainer checks a spec
 */
public record RunOptions(
        Optional<Path> data,
        boolean download,
        boolean synthetic,
        int epochs,
        String preset,
        String model,
        OptionalInt limitTrain,
        OptionalInt limitTest,
        Optional<Path> report,
        Optional<String> resume,
        Optional<String> runId,
        int batchSize,
        int kafkaPort,
        Optional<String> kafkaSecurity,
        Map<String, Object> specValues) {
    /**
     * Run-spec keys {@code --set} does not take: the command names and times the run itself, a sweep is {@code
     * bin/pipeline sweep}'s, and epochs, preset and model have their own options (ingest streams {@code --epochs}).
     */
    private static final Map<String, String> NOT_SETTABLE = Map.of(
            "schemaVersion", "the record's own",
            "runId", "use --run-id",
            "submittedAtMillis", "set on submission",
            "stopRequestedAtMillis", "set by a stop request",
            "sweep", "use bin/pipeline sweep",
            "ashaEta", "use bin/pipeline sweep --asha",
            "epochs", "use --epochs",
            "preset", "use --preset",
            "model", "use --model");

    public RunOptions {
        specValues = Collections.unmodifiableMap(new LinkedHashMap<>(specValues)); // in the order given
    }

    public static final String USAGE = """
            usage: bin/pipeline run [--data DIR | --download | --synthetic] [--epochs N] [--preset seed|stable]
                                    [--model vgg11|vgg13|vgg16|vgg19] [--limit-train N] [--limit-test N]
                                    [--report DIR] [--resume RUN] [--run-id ID] [--batch-size N] [--kafka-port N]
                                    [--kafka-security plaintext|sasl-ssl] [--set key=value]...
            With no data option: ./data if it holds CIFAR-10, else a synthetic dataset (said so).
            --set gives any other run-spec value: --set maxLearningRate=0.05 --set weightDecay=5e-4.""";

    public static RunOptions parse(List<String> args) {
        Optional<Path> data = Optional.empty();
        boolean download = false;
        boolean synthetic = false;
        int epochs = 1;
        String preset = "stable";
        String model = "vgg11";
        OptionalInt limitTrain = OptionalInt.empty();
        OptionalInt limitTest = OptionalInt.empty();
        Optional<Path> report = Optional.empty();
        Optional<String> resume = Optional.empty();
        Optional<String> runId = Optional.empty();
        int batchSize = 128;
        int kafkaPort = 19092;
        Optional<String> kafkaSecurity = Optional.empty();
        Map<String, Object> specValues = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--data" -> data = Optional.of(Path.of(value(args, ++i, a)));
                case "--download" -> download = true;
                case "--synthetic" -> synthetic = true;
                case "--epochs" -> epochs = positive(args, ++i, a);
                case "--preset" -> preset = oneOf(args, ++i, a, List.of("seed", "stable"));
                case "--model" -> model = oneOf(args, ++i, a, List.of("vgg11", "vgg13", "vgg16", "vgg19"));
                case "--limit-train" -> limitTrain = OptionalInt.of(positive(args, ++i, a));
                case "--limit-test" -> limitTest = OptionalInt.of(positive(args, ++i, a));
                case "--report" -> report = Optional.of(Path.of(value(args, ++i, a)));
                case "--resume" -> resume = Optional.of(value(args, ++i, a));
                case "--run-id" -> runId = Optional.of(value(args, ++i, a));
                case "--batch-size" -> batchSize = positive(args, ++i, a);
                case "--kafka-port" -> kafkaPort = positive(args, ++i, a);
                case "--kafka-security" ->
                    kafkaSecurity = Optional.of(oneOf(args, ++i, a, List.of("plaintext", "sasl-ssl")));
                case "--set" -> {
                    var set = specValue(value(args, ++i, a));
                    if (specValues.put(set.getKey(), set.getValue()) != null) {
                        throw new IllegalArgumentException("--set " + set.getKey() + " is given twice");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        if ((data.isPresent() ? 1 : 0) + (download ? 1 : 0) + (synthetic ? 1 : 0) > 1) {
            throw new IllegalArgumentException("choose one of --data, --download and --synthetic");
        }
        if (resume.isPresent() && runId.isPresent()) {
            throw new IllegalArgumentException(
                    "--resume follows an existing run; --run-id names a new one: choose one");
        }
        if (resume.isPresent() && !specValues.isEmpty()) {
            throw new IllegalArgumentException(
                    "--resume follows an existing run with the spec it was submitted with; --set is for a new run");
        }
        for (Optional<String> id : List.of(resume, runId)) {
            if (id.isPresent() && !id.get().matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(
                        "run id '" + id.get() + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
        }
        return new RunOptions(
                data,
                download,
                synthetic,
                epochs,
                preset,
                model,
                limitTrain,
                limitTest,
                report,
                resume,
                runId,
                batchSize,
                kafkaPort,
                kafkaSecurity,
                specValues);
    }

    /** The spec a new run is submitted with: {@code runId} with the preset, model, epochs and every {@code --set}. */
    public RunSpec spec(String runId) {
        RunSpec spec =
                RunSpec.of(runId).with("preset", preset).with("model", model).with("epochs", epochs);
        for (var set : specValues.entrySet()) {
            spec = spec.with(set.getKey(), set.getValue());
        }
        return spec;
    }

    /** {@code key=value} as {@code --set} gives it, typed by its key and checked against the spec's own rules. */
    private static Map.Entry<String, Object> specValue(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0 || eq == assignment.length() - 1) {
            throw new IllegalArgumentException("--set '" + assignment + "' is not key=value");
        }
        String key = assignment.substring(0, eq);
        if (!RunSpec.keys().contains(key)) {
            throw new IllegalArgumentException("--set '" + assignment + "': unknown run-spec key '" + key
                    + "'; --set takes "
                    + String.join(
                            ", ",
                            RunSpec.keys().stream()
                                    .filter(k -> !NOT_SETTABLE.containsKey(k))
                                    .toList()));
        }
        if (NOT_SETTABLE.containsKey(key)) {
            throw new IllegalArgumentException("--set " + key + ": " + NOT_SETTABLE.get(key));
        }
        try {
            Object value = RunSpec.typedValue(key, assignment.substring(eq + 1));
            RunSpec.of("set-check").with(key, value); // the spec's range checks, now rather than at submission
            return Map.entry(key, value);
        } catch (RecordFormatException e) {
            throw new IllegalArgumentException("--set '" + assignment + "': "
                    + e.getMessage().replace("run spec set-check: ", "").replace("run spec: ", ""));
        }
    }

    static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    static int positive(List<String> args, int i, String option) {
        String v = value(args, i, option);
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a positive whole number, got '" + v + "'");
        }
    }

    private static String oneOf(List<String> args, int i, String option, List<String> allowed) {
        String v = value(args, i, option);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException(
                    option + " takes one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }
}
