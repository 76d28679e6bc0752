package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistrySettingsTest {

    private static final String REGISTRY_URL = "http://127.0.0.1:8081";

    @Test
    void parsesEveryKeyOnceIntoTypedValuesWithConfluentsDefaults() {
        SchemaRegistrySettings defaults = settings();

        assertThat(defaults.urls()).containsExactly(URI.create(REGISTRY_URL));
        assertThat(defaults.authorizationHeader()).isEmpty();
        assertThat(defaults.timeouts())
                .isEqualTo(new SchemaRegistrySettings.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)));
        assertThat(defaults.retries()).isEqualTo(new SchemaRegistrySettings.Retries(3, 1_000, 20_000));
        assertThat(defaults.writerSchemaIdPolicy()).isEqualTo(SchemaRegistrySettings.WriterSchemaIdPolicy.REGISTER);
        assertThat(defaults.unknownIdCache())
                .isEqualTo(new SchemaRegistrySettings.UnknownIdCache(Duration.ofSeconds(60), 10_000));

        SchemaRegistrySettings set = SchemaRegistrySettings.of(Map.of(
                SchemaRegistrySettings.URL, " https://key:s3cret@a:8081/apis/ccompat/v7/ , http://b ",
                SchemaRegistrySettings.MAX_RETRIES, "0",
                SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS, "FALSE",
                SchemaRegistrySettings.USE_LATEST_VERSION, "true",
                SchemaRegistrySettings.MISSING_ID_CACHE_TTL_SEC, "0",
                SchemaRegistrySettings.MISSING_CACHE_SIZE, "2"));

        assertThat(set.urls()).containsExactly(URI.create("https://a:8081/apis/ccompat/v7"), URI.create("http://b"));
        assertThat(set.authorizationHeader())
                .contains("Basic " + Base64.getEncoder().encodeToString("key:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(set.retries()).hasToString("max.retries=0, retries.wait.ms=1000, retries.max.wait.ms=20000");
        assertThat(set.writerSchemaIdPolicy()).isEqualTo(SchemaRegistrySettings.WriterSchemaIdPolicy.LATEST_VERSION);
        assertThat(set.unknownIdCache()).isEqualTo(new SchemaRegistrySettings.UnknownIdCache(Duration.ZERO, 2));
        assertThat(settings(SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS, "false")
                        .writerSchemaIdPolicy())
                .isEqualTo(SchemaRegistrySettings.WriterSchemaIdPolicy.LOOKUP);
        assertThat(set.toString()).doesNotContain("s3cret");
    }

    @Test
    void rejectsUseLatestVersionWithAutoRegistration() {
        assertThatThrownBy(() -> settings(SchemaRegistrySettings.USE_LATEST_VERSION, "true"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires 'auto.register.schemas=false'");
    }

    @Test
    void rejectsUnusableSettingsWithoutEchoingCredentials() {
        assertThatThrownBy(() -> SchemaRegistrySettings.of(
                        Map.of(SchemaRegistrySettings.URL, "http://key:s3cret@host with space")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> settings(SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires 'basic.auth.user.info'");
        assertThatThrownBy(() -> settings(SchemaRegistrySettings.CREDENTIALS_SOURCE, "SASL_INHERIT"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("supported: USER_INFO, URL");
        assertThatThrownBy(() -> settings(SchemaRegistrySettings.READ_TIMEOUT_MS, "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'http.read.timeout.ms' must be a number");
    }

    private static SchemaRegistrySettings settings(String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put(SchemaRegistrySettings.URL, REGISTRY_URL);
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return SchemaRegistrySettings.of(properties);
    }
}
