package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.testing.TestFlight;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Basic auth as Confluent Cloud uses it, against a real registry that demands it. */
class ConfluentAvroBasicAuthITCase {

    private static final String USER = "flink-job";
    private static final String PASSWORD = "Pa55-w0rd-never-printed";

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension().withBasicAuth(USER, PASSWORD);

    @Test
    void rightCredentialsWork() throws Exception {
        SerializationSchema<TestFlight> serializer = ConfluentAvro.serializer(
                TestFlight.class,
                "auth.ok",
                settings(Map.of(
                        SchemaRegistrySettings.CREDENTIALS_SOURCE,
                        "USER_INFO",
                        SchemaRegistrySettings.USER_INFO,
                        USER + ":" + PASSWORD)));

        byte[] value = serializer.serialize(ConfluentAvroTest.flight(1));

        assertThat(ConfluentAvro.deserializer(
                                TestFlight.class,
                                "auth.ok",
                                settings(Map.of(SchemaRegistrySettings.USER_INFO, USER + ":" + PASSWORD)))
                        .deserialize(value))
                .isEqualTo(ConfluentAvroTest.flight(1));
    }

    @Test
    void credentialsInTheUrlWork() throws Exception {
        String url = REGISTRY.url().replace("://", "://" + USER + ":" + PASSWORD + "@");
        SerializationSchema<TestFlight> serializer = ConfluentAvro.serializer(
                TestFlight.class,
                "auth.url",
                SchemaRegistrySettings.of(
                        Map.of(SchemaRegistrySettings.URL, url, SchemaRegistrySettings.CREDENTIALS_SOURCE, "URL")));

        assertThat(serializer.serialize(ConfluentAvroTest.flight(2))).startsWith(0);
    }

    @Test
    void wrongCredentialsFailClearlyWithoutShowingThem() {
        String wrongPassword = "Wr0ng-" + PASSWORD;
        SerializationSchema<TestFlight> serializer = ConfluentAvro.serializer(
                TestFlight.class,
                "auth.wrong",
                settings(Map.of(SchemaRegistrySettings.USER_INFO, USER + ":" + wrongPassword)));

        assertThatThrownBy(() -> serializer.serialize(ConfluentAvroTest.flight(3)))
                .cause()
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("credentials rejected by " + REGISTRY.url() + " (HTTP 401)")
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .doesNotContain(wrongPassword)
                        .doesNotContain(USER + ":"));
    }

    @Test
    void missingCredentialsSayWhatToSet() {
        SerializationSchema<TestFlight> serializer =
                ConfluentAvro.serializer(TestFlight.class, "auth.none", settings(Map.of()));

        assertThatThrownBy(() -> serializer.serialize(ConfluentAvroTest.flight(4)))
                .cause()
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("credentials rejected by " + REGISTRY.url())
                .hasMessageContaining("no credentials are configured");
    }

    private static SchemaRegistrySettings settings(Map<String, String> auth) {
        Map<String, String> properties = new java.util.HashMap<>(auth);
        properties.put(SchemaRegistrySettings.URL, REGISTRY.url());
        return SchemaRegistrySettings.of(properties);
    }
}
