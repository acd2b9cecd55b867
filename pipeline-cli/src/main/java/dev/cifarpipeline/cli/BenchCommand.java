package dev.cifarpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/pipeline bench}: every figure the project claims, measured in one command on this machine, ours
 * next to the seed's PyTorch code where there is one (Debian's {@code python3-torch}; without it those figures
 * are left out with a note). Rounds of ours and of the reference alternate, so a load change on a shared machine
 * hits both alike, and both run with the same native allocator ({@link NativeAllocator}). Prints a table and writes {@code bench.json} (flat keys, numbers only) and the table.
 *
 * <ol>
 *   <li>start-up: each packaged service alone, from process start to {@code /q/health/ready} answering 200;</li>
 *   <li>ingest: augmented images/s published to the broker ({@code IngestThroughputBenchmark});</li>
 *   <li>trainer: images/s fed from Kafka and the data-wait fraction ({@code TrainerKafkaBenchmark}) next to
 *       {@code tools/reference/seed_vgg11.py}'s training step (and its forward-only eval figure);</li>
 *   <li>evaluator: images/s scoring a test set ({@code EvaluatorScoringBenchmark}) next to the seed's
 *       {@code test()} loop ({@code tools/reference/seed_test_loop.py});</li>
 *   <li>trainer RSS at steps 100 and 1,000 of a long run (stable preset, batch 128), and every 100 steps between;</li>
 *   <li>a checkpoint from publication to verified and to its accuracy at {@code /q/metrics} ({@code CheckpointLatencyProbe}).</li>
 * </ol>
 */
public final class BenchCommand {
    public static final String USAGE = """
            usage: bin/pipeline bench [--quick] [--rounds N] [--train-steps N] [--warm N] [--eval-images N]
                                      [--ingest-images N] [--rss-steps N] [--out DIR] [--kafka-port N]
            Defaults: 3 rounds, 40 training steps after 5 warm-up steps, 10,000 test images, 50,000 ingest images,
            a 1,010-step run for RSS (0 skips it), report in reports/bench, free ports for the broker and the services.
            --quick: every ratio in a few minutes (2 rounds, 12 steps after 3 warm-up, 2,000 test images, 20,000 ingest
            images, no RSS run); options after it change its values.""";

    private static final List<String> SERVICES = List.of("data-ingest-service", "trainer-service", "evaluator-service");

    /** The command's options, checked. */
    public record Options(
            int rounds,
            int trainSteps,
            int warm,
            int evalImages,
            int ingestImages,
            int rssSteps,
            Path out,
            int kafkaPort) {
        public static Options parse(List<String> args) {
            int rounds = 3;
            int trainSteps = 40;
            int warm = 5;
            int evalImages = 10_000;
            int ingestImages = 50_000;
            int rssSteps = 1_010;
            Path out = Path.of("reports", "bench");
            int kafkaPort = 0;
            for (int i = 0; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("--quick")) {
                    rounds = 2;
                    trainSteps = 12;
                    warm = 3;
                    evalImages = 2_000;
                    ingestImages = 20_000;
                    rssSteps = 0;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(
                            option.startsWith("--")
                                    ? option + " needs a value"
                                    : "unexpected argument '" + option + "'");
                }
                String value = args.get(++i);
                switch (option) {
                    case "--rounds" -> rounds = positive(option, value, 1);
                    case "--train-steps" -> trainSteps = positive(option, value, 1);
                    case "--warm" -> warm = positive(option, value, 1);
                    case "--eval-images" -> evalImages = positive(option, value, 100);
                    case "--ingest-images" -> ingestImages = positive(option, value, 1_000);
                    case "--rss-steps" -> rssSteps = positive(option, value, 0);
                    case "--out" -> out = Path.of(value);
                    case "--kafka-port" -> kafkaPort = positive(option, value, 1_024);
                    default -> throw new IllegalArgumentException("unknown option '" + option + "'");
                }
            }
            if (evalImages % 100 != 0) {
                throw new IllegalArgumentException(
                        "--eval-images must be a multiple of 100 (batches of 100, as the seed's), got " + evalImages);
            }
            if (rssSteps > 0 && rssSteps < 1_000) {
                throw new IllegalArgumentException(
                        "--rss-steps must be 0 (skip) or at least 1000 (RSS is read at steps 100 and 1,000), got "
                                + rssSteps);
            }
            return new Options(rounds, trainSteps, warm, evalImages, ingestImages, rssSteps, out, kafkaPort);
        }

        private static int positive(String option, String value, int min) {
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
            }
            if (n < min) {
                throw new IllegalArgumentException(option + " must be at least " + min + ", got " + n);
            }
            return n;
        }
    }

    private final Path root;
    private final Options options;
    private final BenchResults results = new BenchResults();
    private final String javaBinary =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final Path out;

    BenchCommand(Path root, Options options) {
        this.root = root;
        this.options = options;
        this.out = options.out().isAbsolute() ? options.out() : root.resolve(options.out());
    }

    public static int main(List<String> args, Path root) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bin/pipeline bench: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        BenchCommand bench = new BenchCommand(root, options);
        BenchResults results = bench.measure();
        System.out.println();
        System.out.print(results.table());
        System.out.println("written: " + bench.out.resolve("bench.json") + " and " + bench.out.resolve("bench.txt"));
        return 0;
    }

    /** Writes what is measured so far: a long run that fails late keeps its earlier figures. */
    private void save() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("bench.json"), results.json() + "\n");
        Files.writeString(out.resolve("bench.txt"), results.table());
    }

    BenchResults measure() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        results.put("machine_cores", "machine: cores", "", cores);
        results.put("machine_memory_gib", "machine: memory", "GiB", memoryGiB());
        Reference reference = Reference.detect(root);
        reference.notes().forEach(results::note);
        say("machine: " + cores + " cores, " + Math.round(memoryGiB()) + " GiB; reference: " + reference.describe()
                + "; services' allocator: " + NativeAllocator.describe());
        results.note("native allocator, ours and the seed's alike: " + NativeAllocator.describe());
        Path work = root.resolve(".run/bench");
        deleteRecursively(work);
        int kafkaPort = options.kafkaPort() == 0 ? LocalStack.freePorts(2) : options.kafkaPort();
        try (LocalStack stack = new LocalStack(root, work.resolve("kafka"), kafkaPort, this::say)) {
            stack.startBroker();
            startupTimes(stack, work);
            save();
            ingest(stack.bootstrap());
            save();
            ceiling(reference, cores);
            save();
            trainer(stack.bootstrap(), reference, cores);
            save();
            evaluator(reference, cores);
            ceilingFractions();
            save();
            if (options.rssSteps() > 0) {
                rss(stack.bootstrap());
            } else {
                results.note("trainer RSS not measured (--rss-steps 0)");
            }
            save();
        }
        try (LocalStack stack = new LocalStack(root, work.resolve("kafka-latency"), kafkaPort, this::say)) {
            stack.startBroker(); // a broker of its own: the probe's test set must be the only one the evaluator sees
            checkpointLatency(stack, work);
        }
        save();
        return results;
    }

    /** Each service alone (the others stopped), so that one's start-up does not slow another's. */
    private void startupTimes(LocalStack stack, Path work) throws Exception {
        DatasetChoice dataset =
                DatasetChoice.resolve(RunOptions.parse(List.of("--synthetic")), root.resolve(".run"), this::say);
        Map<String, Map<String, String>> properties = Map.of(
                "data-ingest-service",
                        Map.of("ingest.dataset-dir", dataset.dir().toString(), "ingest.epochs", "1"),
                "trainer-service", Map.of("trainer.progress-bar", "false"),
                "evaluator-service", Map.of());
        for (String module :
                SERVICES) { // ingest first: the evaluator is ready once it holds the test set ingest published
            long start = System.nanoTime();
            stack.start(module, freePort(), jvmOptions(module), properties.get(module), work.resolve("logs"));
            stack.awaitReady(Duration.ofMinutes(3));
            double seconds = (System.nanoTime() - start) / 1e9;
            stack.stop(module);
            String key = module.substring(0, module.indexOf('-')).replace("data", "ingest");
            results.put(key + "_startup_seconds", "start-up to ready: " + module, "s", seconds);
            say(String.format("%s ready %.1f s after its start", module, seconds));
        }
    }

    private void ingest(String bootstrap) throws Exception {
        say("ingest: " + options.ingestImages() + " augmented images to the broker");
        JsonNode line = benchmark(
                "data-ingest-service",
                List.of("-Xmx2g"),
                "dev.cifarpipeline.ingest.bench.IngestThroughputBenchmark",
                bootstrap,
                Integer.toString(options.ingestImages()),
                "1",
                "none");
        results.put(
                "ingest_images_per_s",
                "ingest: augmented images published",
                "img/s",
                BenchResults.number("IngestThroughputBenchmark", line, "ingest_images_per_s"));
        results.put(
                "ingest_augment_encode_images_per_s",
                "ingest: augment + encode alone (no Kafka)",
                "img/s",
                BenchResults.number("IngestThroughputBenchmark", line, "ingest_augment_encode_images_per_s"));
        results.put(
                "producer_ceiling_images_per_s",
                "ingest: a bare producer of the same records, same broker",
                "img/s",
                BenchResults.number("IngestThroughputBenchmark", line, "producer_ceiling_images_per_s"));
        results.put(
                "ingest_vs_producer_ceiling",
                "ingest: ours / the bare producer",
                "x",
                BenchResults.number("IngestThroughputBenchmark", line, "ingest_vs_producer_ceiling"));
    }

    /**
     * The machine's dense fp32 rate through the services' engine ({@code EngineCeilingBenchmark}), and through
     * PyTorch in fp32 and bf16 ({@code tools/reference/engine_ceiling.py}) where it is installed, alternating.
     */
    private void ceiling(Reference reference, int cores) throws Exception {
        double[] engine = new double[options.rounds()];
        double[] torchFp32 = reference.torch() ? new double[options.rounds()] : null;
        double[] torchBf16 = reference.torch() ? new double[options.rounds()] : null;
        JsonNode line = null;
        for (int r = 0; r < options.rounds(); r++) {
            say("machine ceiling round " + (r + 1) + "/" + options.rounds()
                    + ": dense fp32 through the engine (matrix product, VGG-sized convolution)");
            line = benchmark(
                    "trainer-service",
                    jvmOptions("trainer-service"),
                    "dev.cifarpipeline.trainer.bench.EngineCeilingBenchmark",
                    "10");
            engine[r] = BenchResults.number("EngineCeilingBenchmark", line, "engine_fp32_gflops");
            if (reference.torch()) {
                JsonNode torch = python(
                        root.resolve("tools/reference/engine_ceiling.py").toString(),
                        "--threads",
                        Integer.toString(cores));
                torchFp32[r] = Math.max(
                        BenchResults.number("engine_ceiling.py", torch, "torch_fp32_matmul_gflops"),
                        BenchResults.number("engine_ceiling.py", torch, "torch_fp32_conv_gflops"));
                torchBf16[r] = Math.max(
                        BenchResults.number("engine_ceiling.py", torch, "torch_bf16_matmul_gflops"),
                        BenchResults.number("engine_ceiling.py", torch, "torch_bf16_conv_gflops"));
            }
        }
        results.put(
                "engine_fp32_gflops",
                "machine: dense fp32 through DJL's libtorch, best of matmul and conv (median of rounds)",
                "GFLOP/s",
                BenchResults.median(engine));
        results.put(
                "engine_fp32_matmul_gflops",
                "machine: 2048² matrix product, fp32 (last round)",
                "GFLOP/s",
                BenchResults.number("EngineCeilingBenchmark", line, "engine_fp32_matmul_gflops"));
        results.put(
                "engine_fp32_conv_gflops",
                "machine: VGG 3×3 convolution 256→256 at 8×8, batch 128, fp32 (last round)",
                "GFLOP/s",
                BenchResults.number("EngineCeilingBenchmark", line, "engine_fp32_conv_gflops"));
        results.put(
                "vgg11_forward_multiply_adds",
                "model: multiply-adds of one image's VGG11 forward (ModelCost)",
                "",
                BenchResults.number("EngineCeilingBenchmark", line, "vgg11_forward_multiply_adds"));
        for (String mode : List.of("inference", "training")) {
            results.put(
                    "vgg11_" + mode + "_flop_per_image",
                    "model: FLOP of one image's VGG11 " + mode + " (ModelCost)",
                    "",
                    BenchResults.number("EngineCeilingBenchmark", line, "vgg11_" + mode + "_flop_per_image"));
        }
        if (torchFp32 != null) {
            results.put(
                    "torch_fp32_gflops",
                    "machine: the same through PyTorch, fp32 (median)",
                    "GFLOP/s",
                    BenchResults.median(torchFp32));
            results.put(
                    "torch_bf16_gflops",
                    "machine: the same through PyTorch, bf16 (median; DJL 0.33 cannot make bf16 tensors)",
                    "GFLOP/s",
                    BenchResults.median(torchBf16));
        } else {
            results.note("no bf16 figure: it is measured through Debian's python3-torch, which is not installed");
        }
    }

    /** The services' achieved FLOP/s (images/s × the model's counted arithmetic) as a share of the fp32 ceiling. */
    private void ceilingFractions() {
        Map<String, Double> v = results.values();
        double ceiling = v.get("engine_fp32_gflops");
        double trainer = v.get("trainer_images_per_s") * v.get("vgg11_training_flop_per_image") / 1e9;
        double evaluator = v.get("evaluator_images_per_s") * v.get("vgg11_inference_flop_per_image") / 1e9;
        results.put("trainer_gflops", "trainer: achieved (training FLOP per image × images/s)", "GFLOP/s", trainer);
        results.put("trainer_ceiling_fraction", "trainer: achieved / the engine's fp32 ceiling", "", trainer / ceiling);
        results.put(
                "evaluator_gflops", "evaluator: achieved (inference FLOP per image × images/s)", "GFLOP/s", evaluator);
        results.put(
                "evaluator_ceiling_fraction",
                "evaluator: achieved / the engine's fp32 ceiling",
                "",
                evaluator / ceiling);
    }

    private void trainer(String bootstrap, Reference reference, int cores) throws Exception {
        double[] ours = new double[options.rounds()];
        double[] wait = new double[options.rounds()];
        double[] seedTrain = reference.torch() ? new double[options.rounds()] : null;
        double[] seedForward = reference.torch() ? new double[options.rounds()] : null;
        for (int r = 0; r < options.rounds(); r++) {
            say("trainer round " + (r + 1) + "/" + options.rounds() + ": " + options.trainSteps()
                    + " steps fed from Kafka");
            JsonNode line = benchmark(
                    "trainer-service",
                    jvmOptions("trainer-service"),
                    "dev.cifarpipeline.trainer.bench.TrainerKafkaBenchmark",
                    bootstrap,
                    Integer.toString(options.trainSteps()),
                    Integer.toString(options.warm()),
                    "128",
                    "seed");
            ours[r] = BenchResults.number("TrainerKafkaBenchmark", line, "trainer_images_per_s");
            wait[r] = BenchResults.number("TrainerKafkaBenchmark", line, "trainer_data_wait_fraction");
            if (reference.torch()) {
                say("trainer round " + (r + 1) + ": the seed's script");
                JsonNode seed = python(
                        reference.seedScript().toString(),
                        "--device",
                        "cpu",
                        "--modes",
                        "fp32",
                        "--steps",
                        Integer.toString(options.trainSteps()),
                        "--warm",
                        Integer.toString(options.warm()),
                        "--threads",
                        Integer.toString(cores));
                seedTrain[r] = BenchResults.number("seed_vgg11.py", seed, "train_img_s");
                seedForward[r] = BenchResults.number("seed_vgg11.py", seed, "eval_img_s");
            }
        }
        results.putRounds(
                "trainer_images_per_s",
                "seed_trainer_images_per_s",
                "trainer_vs_seed",
                "trainer: training images",
                ours,
                seedTrain);
        results.put(
                "trainer_data_wait_fraction",
                "trainer: share of wall time waiting for data (median)",
                "",
                BenchResults.median(wait));
        if (seedForward != null) {
            results.put(
                    "seed_forward_images_per_s",
                    "seed: forward pass alone, batch 100 (seed_vgg11.py eval)",
                    "img/s",
                    BenchResults.median(seedForward));
        }
    }

    private void evaluator(Reference reference, int cores) throws Exception {
        double[] ours = new double[options.rounds()];
        double[] seeds = reference.testLoop() ? new double[options.rounds()] : null;
        for (int r = 0; r < options.rounds(); r++) {
            say("evaluator round " + (r + 1) + "/" + options.rounds() + ": scoring " + options.evalImages()
                    + " images");
            JsonNode line = benchmark(
                    "evaluator-service",
                    List.of("-Xmx2g"),
                    "dev.cifarpipeline.evaluator.bench.EvaluatorScoringBenchmark",
                    Integer.toString(options.evalImages()),
                    "1",
                    "seed");
            ours[r] = BenchResults.number("EvaluatorScoringBenchmark", line, "evaluator_images_per_s");
            if (seeds != null) {
                say("evaluator round " + (r + 1) + ": the seed's test() loop");
                seeds[r] = BenchResults.number(
                        "seed_test_loop.py",
                        python(
                                reference.testLoopScript().toString(),
                                "--images",
                                Integer.toString(options.evalImages()),
                                "--threads",
                                Integer.toString(cores)),
                        "seed_eval_images_per_s");
            }
        }
        results.putRounds(
                "evaluator_images_per_s",
                "seed_eval_images_per_s",
                "evaluator_vs_seed",
                "evaluator: test images scored",
                ours,
                seeds);
        if (results.values().containsKey("seed_forward_images_per_s")) {
            results.put(
                    "evaluator_vs_seed_forward",
                    "evaluator: ours / the seed's forward pass alone",
                    "x",
                    results.values().get("evaluator_images_per_s")
                            / results.values().get("seed_forward_images_per_s"));
        }
    }

    /**
     * The RSS keys from {@code TrainerKafkaBenchmark}'s line: the two readings issue 4 names (bytes) and, from the
     * readings every 100 steps (MiB), step 500, the growth over the second half and the peak. Growth that stops
     * half-way is the allocator settling; growth to the end is a leak.
     */
    static void putTrainerRss(BenchResults results, JsonNode line) {
        double at100 = BenchResults.number("TrainerKafkaBenchmark", line, "rss_step_100");
        double at1000 = BenchResults.number("TrainerKafkaBenchmark", line, "rss_step_1000");
        results.put("trainer_rss_step_100_mib", "trainer RSS at step 100", "MiB", at100 / (1 << 20));
        results.put("trainer_rss_step_1000_mib", "trainer RSS at step 1,000", "MiB", at1000 / (1 << 20));
        results.put("trainer_rss_growth", "trainer RSS growth, step 100 to 1,000", "", at1000 / at100 - 1);
        JsonNode every100 = line.path("rss_mib_every_100_steps");
        if (every100.size() < 10) {
            throw new IllegalStateException("TrainerKafkaBenchmark printed " + every100.size()
                    + " readings in 'rss_mib_every_100_steps', expected one per 100 steps up to step 1,000: " + line);
        }
        double at500Mib = every100.get(500 / 100 - 1).asDouble();
        double at1000Mib = every100.get(1_000 / 100 - 1).asDouble();
        double peak = 0;
        for (JsonNode mib : every100) {
            peak = Math.max(peak, mib.asDouble());
        }
        results.put("trainer_rss_step_500_mib", "trainer RSS at step 500", "MiB", at500Mib);
        results.put(
                "trainer_rss_growth_500_to_1000",
                "trainer RSS growth, step 500 to 1,000",
                "",
                at1000Mib / at500Mib - 1);
        results.put("trainer_rss_peak_mib", "trainer RSS, highest of the readings every 100 steps", "MiB", peak);
    }

    private void rss(String bootstrap) throws Exception {
        say("trainer RSS: one " + options.rssSteps()
                + "-step run (stable preset, batch 128; about 15 minutes on 2 cores)");
        JsonNode line = benchmark(
                "trainer-service",
                jvmOptions("trainer-service"),
                "dev.cifarpipeline.trainer.bench.TrainerKafkaBenchmark",
                bootstrap,
                Integer.toString(options.rssSteps()),
                Integer.toString(options.warm()),
                "128",
                "stable");
        putTrainerRss(results, line);
        results.put(
                "trainer_long_run_images_per_s",
                "trainer: images/s over the long run (stable preset)",
                "img/s",
                BenchResults.number("TrainerKafkaBenchmark", line, "trainer_images_per_s"));
    }

    private void checkpointLatency(LocalStack stack, Path work) throws Exception {
        say("checkpoint latency: publication to verified and to accuracy at /q/metrics (" + options.evalImages()
                + " test images)");
        PackagedService evaluator = stack.start(
                "evaluator-service", freePort(), jvmOptions("evaluator-service"), Map.of(), work.resolve("logs"));
        stack.awaitReady(
                Duration.ofMinutes(3)); // the probe then publishes its test set and waits until the evaluator holds it
        JsonNode line = benchmark(
                "evaluator-service",
                List.of(),
                "dev.cifarpipeline.evaluator.bench.CheckpointLatencyProbe",
                stack.bootstrap(),
                evaluator.url(""),
                Integer.toString(options.evalImages()));
        results.put(
                "checkpoint_publish_seconds",
                "checkpoint: publishing (encode, hash, send)",
                "s",
                BenchResults.number("CheckpointLatencyProbe", line, "publish_seconds"));
        results.put(
                "checkpoint_to_verified_seconds",
                "checkpoint: taken to verified at the evaluator",
                "s",
                BenchResults.number("CheckpointLatencyProbe", line, "checkpoint_to_verified_seconds"));
        results.put(
                "checkpoint_to_metrics_seconds",
                "checkpoint: published to accuracy at /q/metrics",
                "s",
                BenchResults.number("CheckpointLatencyProbe", line, "checkpoint_to_metrics_seconds"));
        results.put(
                "checkpoint_scoring_seconds",
                "checkpoint: of which scoring",
                "s",
                BenchResults.number("CheckpointLatencyProbe", line, "scoring_seconds"));
    }

    /** Runs a benchmark main from {@code module}'s packaged class path; its JSON line. */
    private JsonNode benchmark(String module, List<String> jvm, String mainClass, String... args) throws Exception {
        Path app = root.resolve(module).resolve("target/quarkus-app");
        List<String> command = new ArrayList<>(List.of(javaBinary));
        command.addAll(jvm);
        command.addAll(List.of(
                "-Dai.djl.offline=true",
                "-cp",
                app.resolve("app") + "/*:" + app.resolve("lib/main") + "/*",
                mainClass));
        command.addAll(Arrays.asList(args));
        // the services' allocator (NativeAllocator), as the stack and the images run them
        return BenchResults.jsonLine(
                mainClass.substring(mainClass.lastIndexOf('.') + 1), exec(command, NativeAllocator.environment()));
    }

    private JsonNode python(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Reference.PYTHON, script));
        command.addAll(Arrays.asList(args));
        // the seed's code under the same allocator as ours: libtorch gains from it on both sides (BENCHMARKS.md)
        return BenchResults.jsonLine(
                Path.of(script).getFileName().toString(), exec(command, NativeAllocator.environment()));
    }

    private static String exec(List<String> command) throws IOException, InterruptedException {
        return exec(command, Map.of());
    }

    private static String exec(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
            p.destroyForcibly();
            List<String> lines = out.lines().toList();
            throw new IllegalStateException(String.join(" ", command) + " failed; its output ends:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())));
        }
        return out;
    }

    private List<String> jvmOptions(String module) throws IOException {
        return LocalStack.jvmOptions(root, module);
    }

    private static int freePort() throws IOException {
        return LocalStack.freePorts(1);
    }

    private static double memoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / (1024.0 * 1024.0);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall through
        }
        return Runtime.getRuntime().maxMemory() / (double) (1L << 30);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void say(String line) {
        System.out.println("bench: " + line);
    }

    /** What of the seed's PyTorch reference this machine can run. */
    record Reference(boolean torch, boolean testLoop, Path seedScript, Path testLoopScript, List<String> notes) {
        static final String PYTHON = "/usr/bin/python3";

        static Reference detect(Path root) {
            Path seedScript = root.resolve("tools/reference/seed_vgg11.py");
            Path testLoopScript = root.resolve("tools/reference/seed_test_loop.py");
            List<String> notes = new ArrayList<>();
            boolean torch = imports("torch");
            if (!torch) {
                notes.add(
                        "no seed reference for the trainer: Debian's python3-torch is not installed (apt-get install python3-torch)");
            }
            boolean testLoop = imports("torch, torchvision");
            if (!testLoop) {
                notes.add(
                        "no seed reference for the evaluator: the seed's test() loop needs python3-torch and python3-torchvision "
                                + "(apt-get install python3-torchvision)");
            }
            return new Reference(torch, testLoop, seedScript, testLoopScript, notes);
        }

        String describe() {
            return (torch ? "seed_vgg11.py" : "no seed_vgg11.py") + ", "
                    + (testLoop ? "the seed's test() loop" : "no test() loop");
        }

        private static boolean imports(String modules) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import " + modules)
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
