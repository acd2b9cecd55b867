package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboards and alerts are proven to show data: a real Prometheus (Debian's {@code prometheus} package),
 * configured from {@code dashboard/prometheus/prometheus.yml} with only the targets and interval changed,
 * scrapes the three real services while they train and score a run; every panel query of every Grafana
 * dashboard in {@code dashboard/grafana/dashboards} must return series, every alert rule must load healthy, and
 * every series a rule watches must exist. {@code promtool check rules} must accept the rules. Runs in the
 * {@code dashboards} Maven profile, which {@code .ci/run} enables after installing Prometheus.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DashboardQueriesTest {
    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    private static final Path DASHBOARD = ROOT.resolve("dashboard");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK = Path.of("target", "dashboards").toAbsolutePath();

    @Test
    void everyPanelAndEveryAlertQueryReturnsSeriesFromTheRealServices() throws Exception {
        Process check = new ProcessBuilder("promtool", "check", "rules", DASHBOARD.resolve("prometheus/alerts.yml").toString())
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), checked);

        Path dataset = WORK.resolve("dataset");
        SyntheticCifar.write(dataset, 800, 200, 3);
        try (InProcessKafka kafka = new InProcessKafka()) {
            // one bad record per stream, so the dead-letter series exist as they would after a real mishap
            kafka.produce(Topics.TRAIN_BATCHES, "garbage", "not a batch record, but long enough for a header".getBytes(StandardCharsets.UTF_8));
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess evaluator = ServiceProcess.start("evaluator-service", "1g", Map.of("kafka.bootstrap.servers", bootstrap), WORK.resolve("logs"));
                 ServiceProcess trainer = ServiceProcess.start("trainer-service", "1g", Map.of("kafka.bootstrap.servers", bootstrap,
                         "trainer.log-every", "10"), WORK.resolve("logs"));
                 ServiceProcess ingest = ServiceProcess.start("data-ingest-service", "512m", Map.of("kafka.bootstrap.servers", bootstrap,
                         "ingest.dataset-dir", dataset.toString(), "ingest.epochs", "2", "ingest.batch-size", "32"), WORK.resolve("logs"))) {
                for (ServiceProcess s : List.of(evaluator, trainer, ingest)) {
                    s.awaitReady(Duration.ofSeconds(90));
                }
                trainer.submitRun("{\"runId\":\"dash\",\"epochs\":2,\"maxLearningRate\":0.02}");
                try (PrometheusProcess prometheus = PrometheusProcess.start(Map.of("data-ingest-service:8081", ingest.port(),
                        "trainer-service:8082", trainer.port(), "evaluator-service:8083", evaluator.port()))) {
                    kafka.readUntil(Topics.EVALUATION_RESULTS, 5 * 60_000, read -> read.size() >= 2 || !trainer.process().isAlive());
                    Thread.sleep(5000); // a few more scrapes, so rates over the last minute have two samples

                    List<String> empty = new ArrayList<>();
                    int queries = 0;
                    try (Stream<Path> files = Files.list(DASHBOARD.resolve("grafana/dashboards"))) {
                        for (Path file : files.sorted().toList()) {
                            for (JsonNode panel : JSON.readTree(file.toFile()).get("panels")) {
                                for (JsonNode target : panel.get("targets")) {
                                    String expr = target.get("expr").asText().replace("$run", ".+");
                                    queries++;
                                    if (prometheus.query(expr).isEmpty()) {
                                        empty.add(file.getFileName() + " / " + panel.get("title").asText() + ": " + expr);
                                    }
                                }
                            }
                        }
                    }
                    assertTrue(empty.isEmpty(), "panel queries without series:\n" + String.join("\n", empty));
                    System.out.println(queries + " panel queries, each returned series");

                    JsonNode rules = prometheus.get("/api/v1/rules").get("data").get("groups");
                    int loaded = 0;
                    for (JsonNode group : rules) {
                        for (JsonNode rule : group.get("rules")) {
                            assertEquals("ok", rule.get("health").asText(), rule.toString());
                            loaded++;
                            for (String metric : metricNames(rule.get("query").asText())) {
                                assertTrue(!prometheus.query("count({__name__=\"" + metric + "\"})").isEmpty(),
                                        "rule " + rule.get("name").asText() + " watches " + metric + ", which no service exports");
                            }
                        }
                    }
                    assertEquals(5, loaded, "the five alert rules loaded");
                }
            }
        }
    }

    /** The pipeline's metric names in a PromQL expression. */
    static Set<String> metricNames(String expr) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\b((?:trainer|evaluator|ingest|pipeline)_[a-z_]+)\\b").matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Debian's prometheus binary with the committed configuration, pointed at the test's services. */
    static final class PrometheusProcess implements AutoCloseable {
        private final Process process;
        private final int port;

        private PrometheusProcess(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static PrometheusProcess start(Map<String, Integer> targets) throws IOException, InterruptedException {
            Path dir = Files.createDirectories(WORK.resolve("prometheus"));
            String config = Files.readString(DASHBOARD.resolve("prometheus/prometheus.yml"))
                    .replace("scrape_interval: 15s", "scrape_interval: 1s").replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                    .replace("- alerts.yml", "- " + DASHBOARD.resolve("prometheus/alerts.yml"));
            for (Map.Entry<String, Integer> t : targets.entrySet()) {
                config = config.replace("\"" + t.getKey() + "\"", "\"localhost:" + t.getValue() + "\"");
            }
            Files.writeString(dir.resolve("prometheus.yml"), config);
            int port = ServiceProcess.freePort();
            Process p = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data" + port)), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            PrometheusProcess prometheus = new PrometheusProcess(p, port);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return prometheus;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("prometheus did not start; see " + dir.resolve("prometheus.log"));
                }
                Thread.sleep(200);
            }
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }

        /** The result vector of an instant query; fails on a query Prometheus rejects. */
        List<JsonNode> query(String expr) throws IOException, InterruptedException {
            JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
            assertEquals("success", r.get("status").asText(), expr + ": " + r);
            List<JsonNode> out = new ArrayList<>();
            r.get("data").get("result").forEach(out::add);
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
