package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retries, backoff budget and URL failover, on a fake registry that answers what each test scripts. */
class SchemaRegistryTransportTest {

    private static final String SCHEMA_ID_1 = "/schemas/ids/1";

    @RegisterExtension
    final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    @Test
    void givesUpAfterTheConfiguredRetries() {
        SchemaRegistryTransport transport =
                new SchemaRegistryTransport(registry.settings(SchemaRegistrySettings.MAX_RETRIES, "2"));
        for (int i = 0; i < 3; i++) {
            registry.respondNext(500, "{\"error_code\":50001,\"message\":\"store down\"}");
        }

        assertThatThrownBy(() -> transport.send("GET", SCHEMA_ID_1, null))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("after 3 attempt(s)")
                .hasMessageContaining("store down");
        assertThat(registry.requests()).hasSize(3);
    }

    @Test
    void triesTheNextUrlWhenOneIsUnreachable() throws IOException {
        int id = registry.preRegister("airline.test-value", "\"string\"");
        String deadUrl = "http://127.0.0.1:" + unusedPort();
        SchemaRegistryTransport transport = new SchemaRegistryTransport(SchemaRegistrySettings.of(Map.of(
                SchemaRegistrySettings.URL, deadUrl + "," + registry.url(), SchemaRegistrySettings.MAX_RETRIES, "0")));

        SchemaRegistryTransport.Response response = transport.send("GET", "/schemas/ids/" + id, null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.url()).isEqualTo(URI.create(registry.url()));
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void unreachableRegistryFailsAfterRetriesWithTheUrl() throws IOException {
        String deadUrl = "http://127.0.0.1:" + unusedPort();
        SchemaRegistryTransport transport = new SchemaRegistryTransport(SchemaRegistrySettings.of(Map.of(
                SchemaRegistrySettings.URL,
                deadUrl,
                SchemaRegistrySettings.MAX_RETRIES,
                "1",
                SchemaRegistrySettings.RETRIES_WAIT_MS,
                "1")));

        assertThatThrownBy(() -> transport.send("GET", SCHEMA_ID_1, null))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not reachable at " + deadUrl)
                .hasMessageContaining("after 2 attempt(s)")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus())
                        .isEqualTo(SchemaRegistryException.NO_HTTP_STATUS));
    }

    @Test
    void anOverloadedRegistrySaysTheRetryBudgetIsSpent() {
        SchemaRegistryTransport transport =
                new SchemaRegistryTransport(registry.settings(SchemaRegistrySettings.MAX_RETRIES, "1"));
        registry.respondNext(429, "{\"error_code\":42900,\"message\":\"slow down\"}");
        registry.respondNext(429, "{\"error_code\":42900,\"message\":\"slow down\"}");

        assertThatThrownBy(() -> transport.send("GET", SCHEMA_ID_1, null))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(UnusableSchemaException.class)
                .hasMessageContaining("HTTP 429")
                .hasMessageContaining(
                        "The retry budget (max.retries=1, retries.wait.ms=1, retries.max.wait.ms=20000)" + " is spent");
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
