package dev.flinkkickstarter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaRegistryBasicAuthITCase {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY =
            new SchemaRegistryExtension().withBasicAuth("api-key", "api-secret");

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void acceptsTheConfiguredCredentials() throws Exception {
        assertThat(getSubjects(basic("api-key", "api-secret")).statusCode()).isEqualTo(200);
    }

    @Test
    void rejectsAWrongPassword() throws Exception {
        assertThat(getSubjects(basic("api-key", "wrong")).statusCode()).isEqualTo(401);
    }

    @Test
    void challengesRequestsWithoutCredentials() throws Exception {
        HttpResponse<String> response = getSubjects(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWithIgnoringCase("Basic"));
    }

    @Test
    void exposesConfluentBasicAuthClientProperties() {
        assertThat(REGISTRY.clientProperties())
                .containsEntry("schema.registry.url", REGISTRY.url())
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "api-key:api-secret");
    }

    private HttpResponse<String> getSubjects(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/subjects"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
