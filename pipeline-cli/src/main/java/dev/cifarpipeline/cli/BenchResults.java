package dev.cifarpipeline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@code bin/pipeline bench}: rounds of ours and of the seed's reference taken alternately,
 * reduced to medians, ratios of ours to the seed's per round (the median of those is the headline: each round's
 * pair ran under the same machine load), and single measurements. Writes {@code bench.json}: flat keys,
 * numbers only; what is missing (no PyTorch here) is left out and said in a note.
 */
public final class BenchResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One figure: its key in bench.json, what the table calls it, its unit. */
    record Figure(String key, String label, String unit, double value) {}

    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    public void put(String key, String label, String unit, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " is not a finite number: " + value);
        }
        figures.put(key, new Figure(key, label, unit, value));
    }

    /**
     * Rounds of ours and, when the reference ran, of the seed's: puts the medians ({@code key}, {@code seedKey})
     * with their ranges, and {@code ratioKey}, the median of the per-round ratios with its range.
     */
    public void putRounds(String key, String seedKey, String ratioKey, String label, double[] ours, double[] seeds) {
        put(key, label + ", ours (median of " + ours.length + ")", "img/s", median(ours));
        put(key + "_min", label + ", ours, slowest round", "img/s", min(ours));
        put(key + "_max", label + ", ours, fastest round", "img/s", max(ours));
        if (seeds == null) {
            return;
        }
        if (seeds.length != ours.length) {
            throw new IllegalArgumentException(
                    seedKey + ": " + seeds.length + " reference rounds for " + ours.length + " of ours");
        }
        double[] ratios = new double[ours.length];
        for (int i = 0; i < ours.length; i++) {
            ratios[i] = ours[i] / seeds[i];
        }
        put(seedKey, label + ", seed (median of " + seeds.length + ")", "img/s", median(seeds));
        put(ratioKey, label + ", ours / seed (median of rounds)", "x", median(ratios));
        put(ratioKey + "_min", label + ", ours / seed, lowest round", "x", min(ratios));
        put(ratioKey + "_max", label + ", ours / seed, highest round", "x", max(ratios));
    }

    public void note(String note) {
        notes.add(note);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        figures.forEach((k, f) -> values.put(k, f.value()));
        return values;
    }

    /** bench.json: one object, flat keys, numbers only. */
    public String json() {
        ObjectNode node = JSON.createObjectNode();
        figures.forEach((k, f) -> node.put(k, f.value()));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String table() {
        StringBuilder out = new StringBuilder();
        int width = figures.values().stream()
                .mapToInt(f -> f.label().length())
                .max()
                .orElse(10);
        for (Figure f : figures.values()) {
            out.append(String.format(
                    Locale.ROOT, "%-" + width + "s  %12s %-6s %s%n", f.label(), format(f.value()), f.unit(), f.key()));
        }
        for (String note : notes) {
            out.append("note: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.1f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /** The one JSON object line among a benchmark's output lines; fails naming the program when there is none. */
    public static JsonNode jsonLine(String program, String output) {
        List<String> lines = output.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.startsWith("{")) {
                try {
                    return JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(program + " printed a line that is not JSON: " + line, e);
                }
            }
        }
        throw new IllegalStateException(program + " printed no JSON result; its output ends:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }

    /** A number from a benchmark's JSON line; fails naming the program and key when it is missing. */
    public static double number(String program, JsonNode line, String key) {
        JsonNode v = line.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalStateException(program + "'s result has no number '" + key + "': " + line);
        }
        return v.doubleValue();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
