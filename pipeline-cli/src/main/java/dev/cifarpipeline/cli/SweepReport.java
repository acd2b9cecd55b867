package dev.cifarpipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cifarpipeline.events.sweep.SweepStandings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sweep produced: per run its values, its per-epoch figures (as in {@code summary.json}), its best test
 * accuracy and whether it was stopped before its last epoch; the winner (the best accuracy) and the winner's
 * confusion matrix. Written as {@code sweep.json} and {@code sweep.html}, one self-contained page that draws the
 * leaderboard, each run's accuracy curve and the confusion matrix from the JSON embedded in it.
 */
public final class SweepReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One run of the sweep as it ended: its report, the values the sweep gave it, its final status, its best test
     * accuracy over every scored checkpoint (the evaluator's best, which it exports; null while none is scored), and
     * whether early stopping cut it at a rung (a run stopped on request, or with its whole sweep, was not: it is
     * "stopped" without being "stopped early").
     */
    public record Run(
            String runId,
            Map<String, Object> values,
            RunReport report,
            String status,
            Double bestTestAccuracy,
            boolean stoppedEarly) {}

    private final String sweepId;
    private final List<Run> runs = new ArrayList<>();
    private int[][] winnerConfusion;

    public SweepReport(String sweepId) {
        this.sweepId = sweepId;
    }

    public synchronized void add(Run run) {
        runs.add(run);
    }

    /** The confusion matrix of the winner's best checkpoint (rows: true class, columns: predicted). */
    public synchronized void winnerConfusion(int[][] confusion) {
        this.winnerConfusion = confusion;
    }

    /** The run with the best test accuracy ({@link SweepStandings#winner}, the evaluator's rule too); null while none is scored. */
    public synchronized Run winner() {
        Map<String, Double> best = new LinkedHashMap<>();
        Map<String, Run> byId = new LinkedHashMap<>();
        for (Run r : runs) {
            best.put(r.runId(), r.bestTestAccuracy());
            byId.put(r.runId(), r);
        }
        return SweepStandings.winner(best).map(byId::get).orElse(null);
    }

    /** {@code sweep.json}'s content. */
    public synchronized Map<String, Object> summary(double wallSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sweep", sweepId);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> s = r.report().summary(r.status(), 0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run", r.runId());
            row.put("values", r.values());
            row.put("epochs", s.get("epochs"));
            row.put("best_test_accuracy", r.bestTestAccuracy());
            row.put("status", r.status());
            row.put("stopped_early", r.stoppedEarly());
            rows.add(row);
        }
        out.put("runs", rows);
        Run winner = winner();
        out.put("winner", winner == null ? null : winner.runId());
        out.put("winner_confusion", winnerConfusion);
        out.put("wall_seconds", Math.round(wallSeconds * 10) / 10.0);
        return out;
    }

    public void write(Path dir, double wallSeconds) throws IOException {
        byte[] json = JSON.writeValueAsBytes(summary(wallSeconds));
        RunReport.atomicWrite(dir.resolve("sweep.json"), json);
        RunReport.atomicWrite(dir.resolve("sweep.html"), page(new String(json, StandardCharsets.UTF_8)));
    }

    /** The page: the data inline (every '<' escaped, so no value can end the tag), drawn by a script of its own. */
    static byte[] page(String json) {
        String data = json.replace("<", "\\u003c"); // JSON's escape of '<': no value can end or comment the tag
        return ("""
                <!doctype html><html><head><meta charset="utf-8"><title>sweep</title>
                <style>body{font-family:sans-serif;margin:2em} table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
                th{background:#f4f4f4} tr.winner td{background:#e6f4e6;font-weight:bold} svg{border:1px solid #ccc} .cm td{width:2.2em;text-align:center}</style>
                </head><body><h1 id="title">sweep</h1><p id="about"></p>
                <h2>leaderboard</h2><table id="leaderboard"></table>
                <h2>test accuracy per epoch, every run</h2><svg id="curves" width="720" height="300"></svg><div id="legend"></div>
                <h2>the winner's confusion matrix</h2><p>rows: true class; columns: predicted</p><table id="confusion" class="cm"></table>
                <script type="application/json" id="sweep-data">%s</script>
                <script>
                const sweep = JSON.parse(document.getElementById('sweep-data').textContent);
                const colors = ['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
                const el = (tag, attrs, text) => { const e = document.createElementNS(tag === 'svg' || ['polyline','circle','text','line'].includes(tag) ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag);
                  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
                const pct = a => a == null ? '-' : (100 * a).toFixed(2) + ' %%';
                document.getElementById('title').textContent = 'sweep ' + sweep.sweep;
                document.getElementById('about').textContent = sweep.runs.length + ' runs in ' + sweep.wall_seconds + ' s; winner: ' + (sweep.winner || 'none');
                const keys = [...new Set(sweep.runs.flatMap(r => Object.keys(r.values)))];
                const board = document.getElementById('leaderboard');
                const head = el('tr'); ['rank', 'run', ...keys, 'best test accuracy', 'epochs', 'status'].forEach(h => head.appendChild(el('th', {}, h))); board.appendChild(head);
                const ranked = [...sweep.runs].sort((a, b) => (b.best_test_accuracy ?? -1) - (a.best_test_accuracy ?? -1));
                ranked.forEach((r, i) => { const tr = el('tr', {class: r.run === sweep.winner ? 'winner run' : 'run', 'data-run': r.run});
                  [i + 1, r.run, ...keys.map(k => r.values[k] ?? ''), pct(r.best_test_accuracy), r.epochs.length, r.stopped_early ? 'stopped early' : r.status].forEach(v => tr.appendChild(el('td', {}, String(v))));
                  board.appendChild(tr); });
                const svg = document.getElementById('curves'); const W = 720, H = 300, P = 40;
                const maxEpoch = Math.max(1, ...sweep.runs.flatMap(r => r.epochs.map(e => e.epoch)));
                const x = e => P + (W - 2 * P) * e / maxEpoch, y = a => H - P - (H - 2 * P) * a;
                svg.appendChild(el('line', {x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: '#999'}));
                svg.appendChild(el('text', {x: 4, y: H - P, 'font-size': 11}, '0 %%')); svg.appendChild(el('text', {x: 4, y: P + 4, 'font-size': 11}, '100 %%'));
                svg.appendChild(el('text', {x: W - P, y: H - P + 16, 'font-size': 11, 'text-anchor': 'end'}, 'epoch ' + maxEpoch));
                const legend = document.getElementById('legend');
                sweep.runs.forEach((r, i) => { const c = colors[i %% colors.length]; const pts = r.epochs.filter(e => e.test_accuracy != null);
                  svg.appendChild(el('polyline', {class: 'curve', 'data-run': r.run, fill: 'none', stroke: c, 'stroke-width': r.run === sweep.winner ? 3 : 1.5, points: pts.map(e => x(e.epoch) + ',' + y(e.test_accuracy)).join(' ')}));
                  pts.forEach(e => svg.appendChild(el('circle', {class: 'point', cx: x(e.epoch), cy: y(e.test_accuracy), r: 3, fill: c})));
                  const k = el('span', {style: 'margin-right:1em;color:' + c}, '\\u25a0 ' + r.run); legend.appendChild(k); });
                const cm = document.getElementById('confusion');
                if (sweep.winner_confusion) { const max = Math.max(1, ...sweep.winner_confusion.flat());
                  sweep.winner_confusion.forEach(row => { const tr = el('tr'); row.forEach(v => tr.appendChild(el('td', {style: 'background:rgba(31,119,180,' + (v / max).toFixed(2) + ')'}, String(v)))); cm.appendChild(tr); }); }
                document.body.setAttribute('data-rendered', 'true');
                </script></body></html>
                """).formatted(data).getBytes(StandardCharsets.UTF_8);
    }
}
