package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.stream.Stream;

/** A real Prometheus' HTTP API on a port of this machine (a process the test started, or a container's published port). */
record PrometheusApi(int port) {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One query of one panel of a Grafana dashboard, with the {@code $run} variable standing for every run and {@code $sweep} for any sweep. */
    record PanelQuery(String dashboard, String panel, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + ": " + expr;
        }
    }

    /** Every panel query of every dashboard in {@code dir} (dashboard/grafana/dashboards). */
    static List<PanelQuery> panelQueries(Path dir) throws IOException {
        List<PanelQuery> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                for (JsonNode panel : JSON.readTree(file.toFile()).get("panels")) {
                    for (JsonNode target : panel.get("targets")) {
                        out.add(new PanelQuery(
                                file.getFileName().toString(),
                                panel.get("title").asText(),
                                target.get("expr")
                                        .asText()
                                        .replace("$run", ".+")
                                        // one sweep is chosen at a time (an exact match): here, any sweep
                                        .replace("sweep=\"$sweep\"", "sweep=~\".+\"")));
                    }
                }
            }
        }
        return out;
    }

    boolean ready() throws InterruptedException {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** The result vector of an instant query; fails on a query Prometheus rejects. */
    List<JsonNode> query(String expr) throws IOException, InterruptedException {
        JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        assertEquals("success", r.get("status").asText(), expr + ": " + r);
        List<JsonNode> out = new ArrayList<>();
        r.get("data").get("result").forEach(out::add);
        return out;
    }

    /** The panel queries of the dashboards in {@code dir} that return no series now. */
    List<PanelQuery> panelsWithoutSeries(Path dir) throws IOException, InterruptedException {
        List<PanelQuery> empty = new ArrayList<>();
        for (PanelQuery q : panelQueries(dir)) {
            if (query(q.expr()).isEmpty()) {
                empty.add(q);
            }
        }
        return empty;
    }
}
