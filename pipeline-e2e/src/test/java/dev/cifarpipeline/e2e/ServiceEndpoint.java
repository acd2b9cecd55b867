package dev.cifarpipeline.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's HTTP interface on a port of this machine: a process the test started, or a container's published port.
 * {@code apiToken}, when known, is what {@link #submitRun} sends; the other requests send only the headers given.
 */
record ServiceEndpoint(String host, int port, Optional<String> apiToken) {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    ServiceEndpoint(String host, int port) {
        this(host, port, Optional.empty());
    }

    static ServiceEndpoint local(int port, Optional<String> apiToken) {
        return new ServiceEndpoint("localhost", port, apiToken);
    }

    ServiceEndpoint withApiToken(String token) {
        return new ServiceEndpoint(host, port, Optional.of(token));
    }

    /** The {@code Authorization} header's name and value for the API token: extra headers for {@link #post}. */
    String[] bearer() {
        return new String[] {"Authorization", "Bearer " + apiToken.orElseThrow()};
    }

    private URI uri(String path) {
        return URI.create("http://" + host + ":" + port + path);
    }

    /** GET a path on the service; the status code and body. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .header("Accept", "text/plain, application/json")
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** POST a JSON body to a path on the service; the status code and body. */
    HttpResponse<String> post(String path, String json, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i + 1 < headers.length; i += 2) { // extra headers: name, value, …
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET a path as bytes. */
    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POST bytes of a content type; the status code and body as text. */
    HttpResponse<String> postBytes(String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Submits a run spec to a trainer's {@code POST /trainer/runs}, failing unless it was accepted; with the API token
     * unless {@code headers} give an {@code Authorization}.
     */
    void submitRun(String specJson, String... headers) throws IOException, InterruptedException {
        boolean authorized = false;
        for (int i = 0; i < headers.length; i += 2) {
            authorized |= headers[i].equalsIgnoreCase("Authorization");
        }
        HttpResponse<String> response =
                post("/trainer/runs", specJson, authorized || apiToken.isEmpty() ? headers : bearer());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "run spec " + specJson + " refused: " + response.statusCode() + " " + response.body());
        }
    }

    /** Whether {@code /q/health/ready} answers 200 now. */
    boolean ready() throws InterruptedException {
        try {
            return get("/q/health/ready").statusCode() == 200;
        } catch (IOException notListening) {
            return false;
        }
    }

    /** The value of a Prometheus sample, e.g. {@code trainer_batches_total{outcome="train",run="e2e"}}. */
    OptionalDouble metric(String name, String... labels) throws IOException, InterruptedException {
        String body = get("/q/metrics").body();
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(body);
        while (m.find()) {
            String labelSet = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= labelSet.contains(label);
            }
            if (all) {
                return OptionalDouble.of(Double.parseDouble(m.group(2)));
            }
        }
        return OptionalDouble.empty();
    }
}
