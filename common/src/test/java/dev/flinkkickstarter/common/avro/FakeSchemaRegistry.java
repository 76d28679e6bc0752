package dev.flinkkickstarter.common.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process stand-in for a Confluent Schema Registry, for unit tests of bytes, caching and error
 * handling that a real registry cannot be made to produce on demand (503 bursts, odd bodies). The
 * integration tests ({@code *ITCase}) run against a real registry.
 */
final class FakeSchemaRegistry implements BeforeEachCallback, AfterEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
    private static final Pattern LOOKUP = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(\\d+)");

    /** A request as received: method, path, Authorization header (or null) and body. */
    record Request(String method, String path, String authorization, String body) {}

    private record Canned(int status, String body) {}

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Canned> cannedResponses = new ArrayDeque<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();
    private HttpServer server;
    private int nextId = 41;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    SchemaRegistrySettings settings(String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put(SchemaRegistrySettings.URL, url());
        // Retries are exercised explicitly; elsewhere they would only slow a failing test down.
        properties.put(SchemaRegistrySettings.RETRIES_WAIT_MS, "1");
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return SchemaRegistrySettings.of(properties);
    }

    /** Registers a schema directly, as Terraform would; returns its id. */
    synchronized int preRegister(String subject, String schema) {
        int id = nextId++;
        schemasById.put(id, schema);
        idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    /** The next requests are answered with these statuses and bodies instead of being served. */
    synchronized void respondNext(int status, String body) {
        cannedResponses.add(new Canned(status, body));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(
                exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Authorization"), body));
        Canned answer = answer(exchange.getRequestMethod(), path, body);
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized Canned answer(String method, String path, String body) throws IOException {
        if (!cannedResponses.isEmpty()) {
            return cannedResponses.poll();
        }
        Matcher m;
        if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
            String schema = schemasById.get(Integer.parseInt(m.group(1)));
            return schema == null
                    ? error(404, 40403, "Schema " + m.group(1) + " not found")
                    : ok(Map.of("schema", schema));
        }
        if (method.equals("GET") && (m = LATEST.matcher(path)).matches()) {
            List<Integer> ids = idsBySubject.get(m.group(1));
            if (ids == null) {
                return error(404, 40401, "Subject '" + m.group(1) + "' not found.");
            }
            int id = ids.get(ids.size() - 1);
            return ok(Map.of("subject", m.group(1), "id", id, "version", ids.size(), "schema", schemasById.get(id)));
        }
        if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
            String schema = JSON.readTree(body).get("schema").asText();
            Integer existing = find(m.group(1), schema);
            return ok(Map.of("id", existing != null ? existing : preRegister(m.group(1), schema)));
        }
        if (method.equals("POST") && (m = LOOKUP.matcher(path)).matches()) {
            JsonNode request = JSON.readTree(body);
            Integer existing = find(m.group(1), request.get("schema").asText());
            if (existing == null) {
                return error(404, 40403, "Schema not found");
            }
            int version = idsBySubject.get(m.group(1)).indexOf(existing) + 1;
            return ok(Map.of("subject", m.group(1), "id", existing, "version", version));
        }
        return error(404, 404, "No such endpoint: " + method + " " + path);
    }

    private Integer find(String subject, String schema) {
        for (int id : idsBySubject.getOrDefault(subject, List.of())) {
            if (schemasById.get(id).equals(schema)) {
                return id;
            }
        }
        return null;
    }

    private static Canned ok(Map<String, Object> body) throws IOException {
        return new Canned(200, JSON.writeValueAsString(body));
    }

    private static Canned error(int status, int errorCode, String message) throws IOException {
        return new Canned(status, JSON.writeValueAsString(Map.of("error_code", errorCode, "message", message)));
    }
}
