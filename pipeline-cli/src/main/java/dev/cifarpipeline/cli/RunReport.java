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

    /** Loss (train and test) and test accuracy per epoch as inline SVG: one file that any browser opens. */
    String chart() {
        List<Epoch> rows = epochs();
        int w = 640;
        int h = 260;
        int pad = 40;
        double maxLoss = rows.stream()
                .flatMapToDouble(e -> DoubleStream.of(e.trainLoss(), e.testLoss()))
                .filter(Double::isFinite)
                .max()
                .orElse(1);
        int n = Math.max(1, rows.size() - 1);
        StringBuilder loss = new StringBuilder();
        StringBuilder testLoss = new StringBuilder();
        StringBuilder acc = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            Epoch e = rows.get(i);
            double x = pad + (w - 2.0 * pad) * (rows.size() == 1 ? 0.5 : (double) i / n);
            point(loss, x, e.trainLoss(), maxLoss, h, pad);
            point(testLoss, x, e.testLoss(), maxLoss, h, pad);
            point(acc, x, e.testAccuracy(), 1.0, h, pad);
        }
        return """
                <!doctype html><html><head><meta charset="utf-8"><title>run %1$s</title>
                <style>body{font-family:sans-serif;margin:2em} svg{border:1px solid #ccc;margin:0.5em 0} .k{display:inline-block;width:1em;height:0.3em;margin-right:0.3em}</style>
                </head><body><h1>run %1$s</h1><p>%2$s preset, %3$s, %4$s dataset (%5$d train / %6$d test images)</p>
                <h2>loss per epoch</h2><p><span class="k" style="background:#1f77b4"></span>train (mean of the last 100 steps)
                <span class="k" style="background:#ff7f0e;margin-left:1em"></span>test</p>
                <svg width="%7$d" height="%8$d"><text x="4" y="%9$d" font-size="11">0</text><text x="4" y="%10$d" font-size="11">%11$.2f</text>
                <polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%12$s"/><polyline fill="none" stroke="#ff7f0e" stroke-width="2" points="%13$s"/></svg>
                <h2>test accuracy per epoch</h2>
                <svg width="%7$d" height="%8$d"><text x="4" y="%9$d" font-size="11">0 %%</text><text x="4" y="%10$d" font-size="11">100 %%</text>
                <polyline fill="none" stroke="#2ca02c" stroke-width="2" points="%14$s"/></svg>
                <pre>%15$s</pre></body></html>
                """.formatted(
                        runId,
                        preset,
                        model,
                        dataset.kind(),
                        dataset.trainImages(),
                        dataset.testImages(),
                        w,
                        h,
                        h - pad,
                        pad + 4,
                        maxLoss,
                        loss,
                        testLoss,
                        acc,
                        table());
    }

    private static void point(StringBuilder points, double x, double value, double max, int h, int pad) {
        if (Double.isFinite(value)) {
            double y = h - pad - (h - 2.0 * pad) * Math.max(0, Math.min(1, value / max));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
    }
}
