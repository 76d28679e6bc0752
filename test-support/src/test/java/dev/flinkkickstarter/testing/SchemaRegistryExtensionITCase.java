package dev.flinkkickstarter.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaRegistryExtensionITCase {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String RECORD_V1 =
            "{\"type\":\"record\",\"name\":\"Flight\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String RECORD_V2_WITHOUT_DEFAULT = "{\"type\":\"record\",\"name\":\"Flight\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"gate\",\"type\":\"string\"}]}";

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void registersAndServesSchemasThroughTheConfluentApi() throws Exception {
        HttpResponse<String> registered = post("/subjects/register-value/versions", schemaRequest(RECORD_V1));
        assertThat(registered.statusCode()).isEqualTo(200);
        int id = id(registered.body());

        HttpResponse<String> byId = get("/schemas/ids/" + id);
        assertThat(byId.statusCode()).isEqualTo(200);
        assertThat(byId.body()).contains(escaped(RECORD_V1));
        assertThat(get("/subjects").body()).contains("\"register-value\"");
    }

    @Test
    void appliesBackwardCompatibilityToEverySubject() throws Exception {
        assertThat(post("/subjects/compatibility-value/versions", schemaRequest(RECORD_V1))
                        .statusCode())
                .isEqualTo(200);

        // A new field without a default cannot be read from old records: BACKWARD rejects it.
        HttpResponse<String> incompatible =
                post("/subjects/compatibility-value/versions", schemaRequest(RECORD_V2_WITHOUT_DEFAULT));
        assertThat(incompatible.statusCode()).isEqualTo(409);
    }

    @Test
    void forwardsStatusQueryAndErrorBodies() throws Exception {
        HttpResponse<String> missing = get("/subjects/no-such-subject/versions/latest");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no-such-subject").contains("\"error_code\"");

        post("/subjects/deleted-value/versions", schemaRequest(RECORD_V1));
        assertThat(delete("/subjects/deleted-value").statusCode()).isEqualTo(200);
        // The query string reaches the registry: soft-deleted subjects are listed only when asked for.
        assertThat(get("/subjects").body()).doesNotContain("deleted-value");
        assertThat(get("/subjects?deleted=true").body()).contains("deleted-value");
    }

    @Test
    void countsRequestsUntilReset() throws Exception {
        REGISTRY.resetRequestCount();
        assertThat(REGISTRY.requestCount()).isZero();

        get("/subjects");
        get("/schemas/ids/999999");
        post("/subjects/counted-value/versions", schemaRequest(RECORD_V1));
        assertThat(REGISTRY.requestCount()).isEqualTo(3);

        REGISTRY.resetRequestCount();
        assertThat(REGISTRY.requestCount()).isZero();
    }

    /**
     * Without users the registry is open, and like Confluent's it ignores an Authorization header then:
     * some Confluent clients send {@code Basic Og==} (empty user and password) when none is configured.
     */
    @Test
    void ignoresAuthorizationHeadersWhenNoUsersAreConfigured() throws Exception {
        for (String authorization : List.of("Basic Og==", "Basic a2V5OnNlY3JldA==", "Bearer some-token")) {
            HttpResponse<String> subjects = client.send(
                    HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/subjects"))
                            .header("Authorization", authorization)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).as(authorization).isEqualTo(200);
        }
    }

    @Test
    void exposesTheUrlAConfluentClientNeeds() {
        assertThat(REGISTRY.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
        assertThat(REGISTRY.clientProperties()).containsOnlyKeys("schema.registry.url");
    }

    @Test
    void stopsTheRegistryProcess() throws Exception {
        Set<ProcessHandle> before = children();
        SchemaRegistryExtension registry = new SchemaRegistryExtension();
        registry.beforeAll(null);
        List<ProcessHandle> started;
        try {
            started =
                    children().stream().filter(child -> !before.contains(child)).collect(Collectors.toList());
            assertThat(started).hasSize(1);
            assertThat(client.send(
                                    HttpRequest.newBuilder(URI.create(registry.url() + "/subjects"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            registry.afterAll(null);
        }

        assertThat(started.get(0).isAlive()).isFalse();
        assertThatThrownBy(registry::url).isInstanceOf(IllegalStateException.class);
    }

    private static Set<ProcessHandle> children() {
        return ProcessHandle.current().children().collect(Collectors.toSet());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + path))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + path))
                        .header("Content-Type", CONTENT_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaRequest(String schema) {
        return "{\"schema\":\"" + escaped(schema) + "\"}";
    }

    private static String escaped(String json) {
        return json.replace("\"", "\\\"");
    }

    private static int id(String body) {
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(body);
        assertThat(id.find()).as("an id in %s", body).isTrue();
        return Integer.parseInt(id.group(1));
    }
}
