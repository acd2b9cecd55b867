package dev.cifarpipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.DoubleStream;

/**
 * What a run produced, per epoch, as {@code summary.json}, a self-contained HTML chart (no Grafana needed) and a
 * table on the terminal. Every file is written to a temporary name and renamed, so an interrupted command
 * leaves either the previous file or the new one, never half of one.
 */
public final class RunReport {
    /** One epoch's figures; NaN where not known (yet). */
    public record Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String runId;
    private final String preset;
    private final String model;
    private final DatasetChoice dataset;
    private final TreeMap<Integer, double[]> epochs = new TreeMap<>();
    /** The trainer's logged running-mean loss, by the run's step. */
    private final TreeMap<Long, Double> stepLosses = new TreeMap<>();
    /** Every scored checkpoint, by its step: epochs done, test loss, test accuracy. */
    private final TreeMap<Long, double[]> evaluations = new TreeMap<>();

    public RunReport(String runId, String preset, String model, DatasetChoice dataset) {
        this.runId = runId;
        this.preset = preset;
        this.model = model;
        this.dataset = dataset;
    }

    public synchronized void trainLoss(int epoch, double loss) {
        row(epoch)[0] = loss;
    }

    /**
     * An epoch's test figures. The first result with {@code epoch} epochs done is the epoch-end checkpoint's; later
     * ones (a checkpoint taken on stopping, or every N steps) belong to the epoch in progress and do not replace it.
     */
    public synchronized void test(int epoch, double loss, double accuracy) {
        double[] r = row(epoch);
        if (Double.isNaN(r[2])) {
            r[1] = loss;
            r[2] = accuracy;
        }
    }

    /** The training loss the trainer logged at {@code step} (a resumed run logs a step again: the later line wins). */
    public synchronized void trainStepLoss(long step, double loss) {
        stepLosses.put(step, loss);
    }

    /** A scored checkpoint taken at {@code step}. */
    public synchronized void evaluation(long step, int epoch, double loss, double accuracy) {
        evaluations.putIfAbsent(step, new double[] {epoch, loss, accuracy});
    }

    private double[] row(int epoch) {
        return epochs.computeIfAbsent(epoch, e -> new double[] {Double.NaN, Double.NaN, Double.NaN});
    }

    public synchronized List<Epoch> epochs() {
        List<Epoch> out = new ArrayList<>();
        epochs.forEach((e, r) -> out.add(new Epoch(e, r[0], r[1], r[2])));
        return out;
    }

    /** The summary as the issue specifies it, plus status, best epoch and wall time. */
    public synchronized Map<String, Object> summary(String status, double wallSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", runId);
        out.put("preset", preset);
        out.put("model", model);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", dataset.kind());
        data.put("layout", dataset.layout());
        data.put("train_images", dataset.trainImages());
        data.put("test_images", dataset.testImages());
        out.put("dataset", data);
        List<Map<String, Object>> rows = new ArrayList<>();
        Epoch best = null;
        for (Epoch e : epochs()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("train_loss", finite(e.trainLoss()));
            row.put("test_loss", finite(e.testLoss()));
            row.put("test_accuracy", finite(e.testAccuracy()));
            rows.add(row);
            if (!Double.isNaN(e.testAccuracy()) && (best == null || e.testAccuracy() >= best.testAccuracy())) {
                best = e;
            }
        }
        out.put("epochs", rows);
        out.put("best_epoch", best == null ? null : best.epoch());
        out.put("best_test_accuracy", best == null ? null : best.testAccuracy());
        out.put("status", status);
        out.put("wall_seconds", Math.round(wallSeconds * 10) / 10.0);
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public void writeSummary(Path dir, String status, double wallSeconds) throws IOException {
        atomicWrite(dir.resolve("summary.json"), JSON.writeValueAsBytes(summary(status, wallSeconds)));
    }

    public void writeChart(Path dir) throws IOException {
        atomicWrite(dir.resolve("chart.html"), chart().getBytes(StandardCharsets.UTF_8));
    }

    public static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The per-epoch table for the terminal. */
    public String table() {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT, "%-6s %12s %12s %14s%n", "epoch", "train loss", "test loss", "test accuracy"));
        for (Epoch e : epochs()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-6d %12s %12s %14s%n",
                    e.epoch(),
                    fmt(e.trainLoss(), "%.4f"),
                    fmt(e.testLoss(), "%.4f"),
                    Double.isNaN(e.testAccuracy())
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f %%", 100 * e.testAccuracy())));
        }
        return b.toString();
    }

    private static String fmt(double v, String f) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
    }

    /**
     * The training loss at every logged step and each evaluation as a marked point with its value, as inline SVG: one
     * file any browser opens. A run of one epoch still shows its learning (its logged steps, its one evaluation).
     */
    synchronized String chart() {
        int w = 720;
        int h = 280;
        long lastStep = Math.max(
                1,
                Math.max(
                        stepLosses.isEmpty() ? 0 : stepLosses.lastKey(),
                        evaluations.isEmpty() ? 0 : evaluations.lastKey()));
        double maxLoss = DoubleStream.concat(
                        stepLosses.values().stream().mapToDouble(Double::doubleValue),
                        evaluations.values().stream().mapToDouble(e -> e[1]))
                .filter(Double::isFinite)
                .max()
                .orElse(1);
        Plot loss = new Plot(w, h, lastStep, maxLoss);
        StringBuilder lossSvg = new StringBuilder();
        lossSvg.append(loss.frame("%.2f".formatted(maxLoss)));
        lossSvg.append(loss.line(stepLosses, "#1f77b4", "train-loss"));
        for (var e : evaluations.entrySet()) {
            lossSvg.append(
                    loss.mark(e.getKey(), e.getValue()[1], "#ff7f0e", "test-loss", "%.3f".formatted(e.getValue()[1])));
        }
        Plot accuracy = new Plot(w, h, lastStep, 1.0);
        StringBuilder accSvg = new StringBuilder(accuracy.frame("100 %"));
        TreeMap<Long, Double> accuracies = new TreeMap<>();
        evaluations.forEach((step, e) -> accuracies.put(step, e[2]));
        accSvg.append(accuracy.line(accuracies, "#2ca02c", "accuracy-line"));
        for (var e : evaluations.entrySet()) {
            accSvg.append(accuracy.mark(
                    e.getKey(),
                    e.getValue()[2],
                    "#2ca02c",
                    "test-accuracy",
                    String.format(Locale.ROOT, "%.1f %% (epoch %d)", 100 * e.getValue()[2], (int) e.getValue()[0])));
        }
        return """
                <!doctype html><html><head><meta charset="utf-8"><title>run %1$s</title>
                <style>body{font-family:sans-serif;margin:2em} svg{border:1px solid #ccc;margin:0.5em 0} .k{display:inline-block;width:1em;height:0.3em;margin-right:0.3em}</style>
                </head><body><h1>run %1$s</h1><p>%2$s preset, %3$s, %4$s dataset (%5$d train / %6$d test images)</p>
                <h2>loss by step</h2><p><span class="k" style="background:#1f77b4"></span>train (running mean, at every logged step)
                <span class="k" style="background:#ff7f0e;margin-left:1em"></span>test (each scored checkpoint)</p>
                <svg id="loss" width="%7$d" height="%8$d">%9$s</svg>
                <h2>test accuracy at each evaluation</h2>
                <svg id="accuracy" width="%7$d" height="%8$d">%10$s</svg>
                <h2>per epoch</h2><pre>%11$s</pre></body></html>
                """.formatted(
                        runId,
                        preset,
                        model,
                        dataset.kind(),
                        dataset.trainImages(),
                        dataset.testImages(),
                        w,
                        h,
                        lossSvg,
                        accSvg,
                        table());
    }

    /** Step on x (0 to {@code lastStep}), value on y (0 to {@code max}), inside a padded frame. */
    private record Plot(int w, int h, long lastStep, double max) {
        static final int PAD = 44;

        double x(long step) {
            return PAD + (w - 2.0 * PAD) * step / lastStep;
        }

        double y(double value) {
            return h - PAD - (h - 2.0 * PAD) * Math.max(0, Math.min(1, value / max));
        }

        String frame(String top) {
            return String.format(
                    Locale.ROOT,
                    "<text x=\"4\" y=\"%d\" font-size=\"11\">0</text><text x=\"4\" y=\"%d\" font-size=\"11\">%s</text>"
                            + "<text x=\"%d\" y=\"%d\" font-size=\"11\">step 0</text>"
                            + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">step %d</text>"
                            + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>",
                    h - PAD,
                    PAD + 4,
                    top,
                    PAD,
                    h - PAD + 16,
                    w - PAD,
                    h - PAD + 16,
                    lastStep,
                    PAD,
                    h - PAD,
                    w - PAD,
                    h - PAD);
        }

        /** A polyline through the finite points, and a dot on each when there are few (one point is no line). */
        String line(TreeMap<Long, Double> points, String color, String cls) {
            StringBuilder coords = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            points.forEach((step, value) -> {
                if (Double.isFinite(value)) {
                    coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(step), y(value)));
                    if (points.size() <= 60) {
                        dots.append(String.format(
                                Locale.ROOT,
                                "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                                cls,
                                x(step),
                                y(value),
                                color));
                    }
                }
            });
            return String.format(
                            Locale.ROOT,
                            "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                            cls,
                            color,
                            coords.toString().trim())
                    + dots;
        }

        /** A marked point with its value written beside it. */
        String mark(long step, double value, String color, String cls, String label) {
            if (!Double.isFinite(value)) {
                return "";
            }
            double x = x(step);
            return String.format(
                    Locale.ROOT,
                    "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>",
                    cls,
                    x,
                    y(value),
                    color,
                    x > w - 2.0 * PAD ? x - 8 : x + 8,
                    y(value) - 8,
                    x > w - 2.0 * PAD ? "end" : "start",
                    label);
        }
    }
}
