package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboards and alerts are proven to show data: a real Prometheus (Debian's {@code prometheus} package),
 * configured from {@code dashboard/prometheus/prometheus.yml} with only the targets and interval changed,
 * scrapes the three real services while they train and score a run (a sweep's one run); every panel query of every Grafana
 * dashboard in {@code dashboard/grafana/dashboards} must return series, every alert rule must load healthy, and
 * every series a rule watches must exist. {@code promtool check rules} must accept the rules. Runs in the
 * {@code dashboards} Maven profile, which {@code .ci/run} enables after installing Prometheus.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DashboardQueriesTest {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    private static final Path DASHBOARD = ROOT.resolve("dashboard");
    private static final Path WORK = Path.of("target", "dashboards").toAbsolutePath();

    @Test
    void everyPanelAndEveryAlertQueryReturnsSeriesFromTheRealServices() throws Exception {
        Process check = new ProcessBuilder(
                        "promtool",
                        "check",
                        "rules",
                        DASHBOARD.resolve("prometheus/alerts.yml").toString())
                .redirectErrorStream(true)
                .start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), checked);

        Path dataset = WORK.resolve("dataset");
        SyntheticCifar.write(dataset, 800, 200, 3);
        try (InProcessKafka kafka = new InProcessKafka()) {
            // one bad record per stream, so the dead-letter series exist as they would after a real mishap
            kafka.produce(
                    Topics.TRAIN_BATCHES,
                    "garbage",
                    "not a batch record, but long enough for a header".getBytes(StandardCharsets.UTF_8));
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess evaluator = ServiceProcess.start(
                            "evaluator-service",
                            "1g",
                            Map.of("kafka.bootstrap.servers", bootstrap),
                            WORK.resolve("logs"));
                    ServiceProcess trainer = ServiceProcess.start(
                            "trainer-service",
                            "1g",
                            Map.of("kafka.bootstrap.servers", bootstrap, "trainer.log-every", "10"),
                            WORK.resolve("logs"));
                    ServiceProcess ingest = ServiceProcess.start(
                            "data-ingest-service",
                            "512m",
                            Map.of(
                                    "kafka.bootstrap.servers",
                                    bootstrap,
                                    "ingest.dataset-dir",
                                    dataset.toString(),
                                    "ingest.epochs",
                                    "2",
                                    "ingest.batch-size",
                                    "32"),
                            WORK.resolve("logs"))) {
                for (ServiceProcess s : List.of(evaluator, trainer, ingest)) {
                    s.awaitReady(Duration.ofSeconds(90));
                }
                // a sweep of one run with early stopping: the run is trained and scored as any run is, and the sweep
                // dashboard's series (the run's sweep, its rung decision) exist too
                var sweep = trainer.post(
                        "/trainer/sweeps",
                        "{\"sweepId\":\"dash\",\"base\":{\"epochs\":2,\"maxLearningRate\":0.02,\"ashaEta\":2},"
                                + "\"grid\":{\"weightDecay\":[0.0005]}}",
                        trainer.endpoint().bearer());
                assertEquals(201, sweep.statusCode(), sweep.body());
                try (PrometheusProcess prometheus = PrometheusProcess.start(Map.of(
                        "data-ingest-service:8081",
                        ingest.port(),
                        "trainer-service:8082",
                        trainer.port(),
                        "evaluator-service:8083",
                        evaluator.port()))) {
                    kafka.readUntil(
                            Topics.EVALUATION_RESULTS,
                            5 * 60_000,
                            read -> read.size() >= 2 || !trainer.process().isAlive());
                    // rates over the last minute need two samples: scrapes every second fill them in moments
                    Path dashboards = DASHBOARD.resolve("grafana/dashboards");
                    List<PrometheusApi.PanelQuery> empty = Eventually.await(
                            "every panel query returning series",
                            Duration.ofSeconds(60),
                            () -> prometheus.api().panelsWithoutSeries(dashboards),
                            List::isEmpty);
                    assertTrue(empty.isEmpty(), "panel queries without series:\n" + empty);
                    System.out.println(
                            PrometheusApi.panelQueries(dashboards).size() + " panel queries, each returned series");

                    JsonNode rules =
                            prometheus.api().get("/api/v1/rules").get("data").get("groups");
                    int loaded = 0;
                    for (JsonNode group : rules) {
                        for (JsonNode rule : group.get("rules")) {
                            assertEquals("ok", rule.get("health").asText(), rule.toString());
                            loaded++;
                            for (String metric : metricNames(rule.get("query").asText())) {
                                assertTrue(
                                        !prometheus
                                                .api()
                                                .query("count({__name__=\"" + metric + "\"})")
                                                .isEmpty(),
                                        "rule " + rule.get("name").asText() + " watches " + metric
                                                + ", which no service exports");
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
        Matcher m = Pattern.compile("\\b((?:trainer|evaluator|ingest|pipeline)_[a-z_]+)\\b")
                .matcher(expr);
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
            Files.writeString(dir.resolve("prometheus.yml"), configFor(targets));
            int port = ServiceProcess.freePort();
            Process p = new ProcessBuilder(
                            "prometheus",
                            "--config.file=" + dir.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data" + port)),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            PrometheusProcess prometheus = new PrometheusProcess(p, port);
            Eventually.await(
                    "prometheus ready (log: " + dir.resolve("prometheus.log") + ")", Duration.ofSeconds(60), () -> {
                        assertTrue(p.isAlive(), "prometheus exited; see " + dir.resolve("prometheus.log"));
                        return prometheus.api().ready();
                    });
            return prometheus;
        }

        /**
         * The committed configuration with the interval shortened and each job's DNS discovery (compose names, as
         * Docker's DNS answers them) replaced by the test's own service, so everything else is what compose runs.
         */
        static String configFor(Map<String, Integer> targets) throws IOException {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            ObjectNode config = (ObjectNode)
                    yaml.readTree(DASHBOARD.resolve("prometheus/prometheus.yml").toFile());
            ((ObjectNode) config.get("global")).put("scrape_interval", "1s").put("evaluation_interval", "1s");
            config.putArray("rule_files")
                    .add(DASHBOARD.resolve("prometheus/alerts.yml").toString());
            for (JsonNode job : config.get("scrape_configs")) {
                JsonNode discovered = job.get("dns_sd_configs").get(0);
                String name = discovered.get("names").get(0).asText() + ":"
                        + discovered.get("port").asInt();
                Integer port = targets.get(name);
                assertTrue(port != null, "the test runs no service for scrape target " + name);
                ((ObjectNode) job).remove("dns_sd_configs");
                ((ObjectNode) job)
                        .putArray("static_configs")
                        .addObject()
                        .putArray("targets")
                        .add("localhost:" + port);
            }
            return yaml.writeValueAsString(config);
        }

        PrometheusApi api() {
            return new PrometheusApi(port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
