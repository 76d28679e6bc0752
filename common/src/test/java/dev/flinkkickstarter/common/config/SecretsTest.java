package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void recognisesSecretKeys() {
        assertThat(Secrets.isSecretKey("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecretKey("basic.auth.user.info")).isTrue();
        assertThat(Secrets.isSecretKey("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecretKey("aws.secret.access.key")).isTrue();
        assertThat(Secrets.isSecretKey("rest.token")).isTrue();
        assertThat(Secrets.isSecretKey("credential")).isTrue();
        assertThat(Secrets.isSecretKey("basic.auth.credentials.source")).isFalse();
        assertThat(Secrets.isSecretKey("bootstrap.servers")).isFalse();
    }

    @Test
    void schemaRegistrySettingsNeverPrintSecrets() {
        SchemaRegistrySettings settings = SchemaRegistrySettings.of(Map.of(
                SchemaRegistrySettings.URL, "http://a:8081, http://b:8081",
                SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO",
                SchemaRegistrySettings.USER_INFO, "KEY:hunter2"));

        assertThat(settings.toString()).doesNotContain("hunter2").contains("USER_INFO", "http://a:8081");
        assertThat(settings.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(settings.get(SchemaRegistrySettings.USER_INFO)).contains("KEY:hunter2");
    }

    @Test
    void schemaRegistryUrlIsRequired() {
        assertThatThrownBy(() -> SchemaRegistrySettings.of(Map.of())).hasMessageContaining("schema.registry.url");
    }
}
