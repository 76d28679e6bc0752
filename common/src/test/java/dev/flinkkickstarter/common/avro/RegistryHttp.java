package dev.flinkkickstarter.common.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Raw Confluent REST calls for the integration tests, independent of {@link SchemaRegistryClient}: to
 * register schemas the way Terraform or CI would, and to check what the registry holds.
 */
final class RegistryHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;

    RegistryHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    int register(String subject, String schema) throws IOException, InterruptedException {
        return send("POST", "/subjects/" + subject + "/versions", JSON.writeValueAsString(Map.of("schema", schema)))
                .get("id")
                .intValue();
    }

    /** Registers a schema of any type, with references given as (name, subject, version) triples. */
    int register(String subject, String schema, String schemaType, List<Map<String, Object>> references)
            throws IOException, InterruptedException {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("schema", schema);
        body.put("schemaType", schemaType);
        if (!references.isEmpty()) {
            body.put("references", references);
        }
        return send("POST", "/subjects/" + subject + "/versions", JSON.writeValueAsString(body))
                .get("id")
                .intValue();
    }

    /** The registry's raw answer for a schema id. */
    JsonNode schemaById(int id) throws IOException, InterruptedException {
        return send("GET", "/schemas/ids/" + id, null);
    }

    void setCompatibility(String subject, String level) throws IOException, InterruptedException {
        send("PUT", "/config/" + subject, JSON.writeValueAsString(Map.of("compatibility", level)));
    }

    int latestId(String subject) throws IOException, InterruptedException {
        return send("GET", "/subjects/" + subject + "/versions/latest", null)
                .get("id")
                .intValue();
    }

    List<Integer> versions(String subject) throws IOException, InterruptedException {
        List<Integer> versions = new ArrayList<>();
        send("GET", "/subjects/" + subject + "/versions", null).forEach(v -> versions.add(v.intValue()));
        return versions;
    }

    private JsonNode send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    method + " " + path + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
