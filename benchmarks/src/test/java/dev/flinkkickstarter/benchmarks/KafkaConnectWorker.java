package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkkickstarter.testing.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kafka Connect worker in standalone mode ({@code ConnectStandalone}), in its own JVM, as a Kafka distribution
 * runs it: the worker's jars on the classpath, connectors on a separate plugin path, connectors created and deleted
 * through its REST API. One worker runs several connectors one after another, so the second one meets a warm JVM.
 */
final class KafkaConnectWorker implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess worker;
    private final URI rest;
    private final HttpClient http = HttpClient.newHttpClient();

    private KafkaConnectWorker(ChildProcess worker, URI rest) {
        this.worker = worker;
        this.rest = rest;
    }

    /**
     * Starts a worker from the jars in {@code workerLib} with the connectors under {@code pluginPath}; {@code
     * workerProperties} are added to (and override) the standalone basics: bootstrap servers, REST listener, offset
     * file.
     */
    static KafkaConnectWorker start(
            Path dir,
            Path workerLib,
            Path pluginPath,
            String bootstrapServers,
            Map<String, String> workerProperties,
            List<String> jvmOptions)
            throws IOException, InterruptedException {
        checkState(
                Files.isDirectory(workerLib) && Files.isDirectory(pluginPath),
                "Kafka Connect is not assembled (%s, %s): build the benchmarks profile's modules first",
                workerLib,
                pluginPath);
        int port = LocalPorts.free();
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(List.of(
                "bootstrap.servers=" + bootstrapServers,
                "listeners=http://127.0.0.1:" + port,
                "plugin.path=" + pluginPath.toAbsolutePath(),
                "offset.storage.file.filename=" + dir.resolve("connect.offsets").toAbsolutePath(),
                // Converters are set per connector; these only satisfy the worker's required settings.
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter"));
        workerProperties.forEach((key, value) -> lines.add(key + "=" + value));
        Path config = dir.resolve("connect-standalone.properties");
        Files.writeString(config, String.join("\n", lines) + "\n");
        List<String> jvm = new ArrayList<>(jvmOptions);
        jvm.add(Log4jConfig.write(dir.resolve("connect-log4j2.properties"), "org.apache.iceberg.connect"));
        ChildProcess process = ChildProcess.java(
                        "kafka connect worker", "org.apache.kafka.connect.cli.ConnectStandalone")
                .classpath(workerLib.toAbsolutePath() + "/*")
                .jvmOptions(jvm)
                .arguments(config.toString())
                .log(dir.resolve("connect.log"))
                .start();
        KafkaConnectWorker started = new KafkaConnectWorker(process, URI.create("http://127.0.0.1:" + port));
        started.awaitReady();
        return started;
    }

    /** Creates a connector; Connect starts its tasks right away. */
    void createConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("name", name, "config", config));
        HttpResponse<String> response = send(HttpRequest.newBuilder(rest.resolve("/connectors"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        checkState(
                response.statusCode() == 201,
                "Creating connector %s: HTTP %s %s",
                name,
                response.statusCode(),
                response.body());
    }

    /** Fails with the task's stack trace if the connector or one of its tasks has failed. */
    void checkNotFailed(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/status")));
        if (response.statusCode() != 200) {
            return; // not registered yet
        }
        JsonNode status = JSON.readTree(response.body());
        List<JsonNode> states = new ArrayList<>();
        states.add(status.path("connector"));
        status.path("tasks").forEach(states::add);
        for (JsonNode state : states) {
            checkState(
                    !"FAILED".equals(state.path("state").asText()),
                    "Connector %s failed: %s",
                    name,
                    state.path("trace").asText());
        }
    }

    void deleteConnector(String name) throws IOException, InterruptedException {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name)).DELETE());
        checkState(
                response.statusCode() == 204,
                "Deleting connector %s: HTTP %s %s",
                name,
                response.statusCode(),
                response.body());
    }

    void checkAlive() throws IOException {
        worker.checkAlive();
    }

    String outputTail() throws IOException {
        return worker.outputTail();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady() throws IOException, InterruptedException {
        worker.awaitReady("its REST API answering on " + rest, this::restApiAnswers, STARTUP_TIMEOUT);
    }

    private boolean restApiAnswers() throws InterruptedException {
        try {
            return send(HttpRequest.newBuilder(rest.resolve("/connectors"))).statusCode() == 200;
        } catch (IOException notYet) {
            return false; // The REST server is not listening yet.
        }
    }

    @Override
    public void close() throws InterruptedException {
        worker.close();
    }
}
