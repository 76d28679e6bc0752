package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.ClientSettings.Target;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.common.kafka.BrokerTransactionLimit;
import dev.flinkkickstarter.testing.CapturedLogs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every form of secret a user may configure, through every place settings are printed: {@code
 * toString} of each settings class, {@link IcebergCatalogs#describe}, exception messages and stack
 * traces, and every log line (captured at DEBUG).
 */
class RedactionTest {

    private static final String PEM =
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7pem-secret\n"
                    + "-----END PRIVATE KEY-----";
    /** Each secret value below contains one of these; none may ever be printed. */
    private static final List<String> SECRETS = List.of(
            "url-secret",
            "jdbc-query-secret",
            "jdbc-userinfo-secret",
            "pem-secret",
            "key-password-secret",
            "s3-secret",
            "azure-account-key-secret",
            "adls-shared-key-secret",
            "authorization-header-secret",
            "jaas-secret",
            "user-info-secret",
            "rest-token-secret",
            "oauth-credential-secret");

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sasl.jaas.config",
                "basic.auth.user.info",
                "SSL.KEY.PASSWORD",
                "ssl.keystore.key",
                "ssl.keystore.password",
                "s3.secret-access-key",
                "fs.azure.account.key.myaccount.dfs.core.windows.net",
                "adls.auth.shared-key.account.key",
                "header.Authorization",
                "rest.header.X-Api-Key",
                "token",
                "credential",
                "gcs.oauth2.token",
                "private.key",
                "client.secret"
            })
    void secretKeys(String key) {
        assertThat(Secrets.isSecretKey(key)).as(key).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "key.serializer",
                "key.deserializer",
                "partition.key",
                "message.key",
                "s3.access-key-id",
                "ssl.keystore.location",
                "ssl.keystore.type",
                "basic.auth.credentials.source",
                "bootstrap.servers",
                "schema.registry.url",
                "uri",
                "warehouse"
            })
    void printableKeys(String key) {
        assertThat(Secrets.isSecretKey(key)).as(key).isFalse();
    }

    @Test
    void redactsSecretsInsideValues() {
        assertThat(Secrets.redact("https://KEY:url-secret@psrc-1.confluent.cloud/apis"))
                .isEqualTo("https://******@psrc-1.confluent.cloud/apis");
        assertThat(Secrets.redact("http://a:8081,https://K:url-secret@b:8081"))
                .isEqualTo("http://a:8081,https://******@b:8081");
        assertThat(Secrets.redact("jdbc:postgresql://h/db?user=u&password=jdbc-query-secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=******&ssl=true");
        assertThat(Secrets.redact("jdbc:mysql://app:jdbc-userinfo-secret@db:3306/iceberg"))
                .isEqualTo("jdbc:mysql://******@db:3306/iceberg");
        assertThat(Secrets.redact("jdbc:sqlserver://h:1433;databaseName=d;user=u;password=jdbc-query-secret;"))
                .isEqualTo("jdbc:sqlserver://h:1433;databaseName=d;user=u;password=******;");
        assertThat(Secrets.redact("jdbc:oracle:thin:scott/jdbc-userinfo-secret@h:1521/orcl"))
                .isEqualTo("jdbc:oracle:thin:******@h:1521/orcl");
        assertThat(Secrets.redact("key " + PEM + " end"))
                .isEqualTo("key -----BEGIN PRIVATE KEY-----******-----END PRIVATE KEY----- end");
        assertThat(Secrets.redact("cut off: " + PEM.substring(0, 60))).doesNotContain("MIIEvQ");
        assertThat(Secrets.redact("PlainLoginModule required username=\"K\" password=\"jaas-secret\";"))
                .isEqualTo("PlainLoginModule required username=\"K\" password=******;");
        assertThat(Secrets.redact("Authorization: Basic S0VZOnNlY3JldA==")).isEqualTo("Authorization: Basic ******");
        // Printable text stays as it is.
        assertThat(Secrets.redact("http://localhost:8081/apis/ccompat/v7?x=1&y=2"))
                .isEqualTo("http://localhost:8081/apis/ccompat/v7?x=1&y=2");
        assertThat(Secrets.redact("user@example.com wrote 3 records")).isEqualTo("user@example.com wrote 3 records");
    }

    @Test
    void settingsToStringAndCatalogDescription() {
        ClientSettings settings = ClientSettings.builder()
                .property(Target.KAFKA, "bootstrap.servers", "b:9092")
                .property(
                        Target.KAFKA,
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"K\""
                                + " password=\"jaas-secret\";")
                .property(Target.CONSUMER, "ssl.keystore.key", PEM)
                .property(Target.CONSUMER, "ssl.key.password", "key-password-secret")
                .property(
                        Target.PRODUCER, "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer")
                .properties(Target.SCHEMA_REGISTRY, registrySettings())
                .properties(Target.CATALOG, catalogProperties())
                .build();

        logs.lines().add(settings.toString());
        logs.lines().add(settings.schemaRegistry().toString());
        logs.lines().add(IcebergCatalogs.describe(settings.catalogProperties()).toString());
        logs.lines()
                .add(ConfluentSchemaCoder.provider("t", settings.schemaRegistry())
                        .toString());
        logs.lines()
                .add(ConfluentSchemaCoder.provider("t", settings.schemaRegistry())
                        .get()
                        .toString());
        logs.lines()
                .add(ConfluentAvroDecoder.create(record(), "t", settings.schemaRegistry())
                        .toString());

        assertNoSecretCaptured();
        // Still useful: what is not secret is shown.
        assertThat(settings.toString())
                .contains("ByteArraySerializer", "https://******@127.0.0.1:1/apis", "jdbc:postgresql://h/db?user=u");
        assertThat(IcebergCatalogs.describe(settings.catalogProperties()))
                .containsEntry("s3.access-key-id", "AKIAEXAMPLE");
    }

    @Test
    void registryClientMessagesAndLogs() throws Exception {
        Map<String, String> registry = new LinkedHashMap<>(registrySettings());
        registry.put(SchemaRegistrySettings.MAX_RETRIES, "0");
        registry.put(SchemaRegistrySettings.CONNECT_TIMEOUT_MS, "500");
        SchemaRegistrySettings settings = SchemaRegistrySettings.of(registry);
        try (SchemaRegistryClient client = SchemaRegistryClient.create(settings)) {
            logs.lines().add(client.toString());
            logs.lines().add(client.urls().toString());
            Throwable failure = catchThrowable(() -> client.latest("t-value"));
            assertThat(failure).isNotNull();
            logs.lines().add(CapturedLogs.stackTrace(failure));
        }
        try (ConfluentAvroDecoder decoder = ConfluentAvroDecoder.create(record(), "t", settings)) {
            Throwable failure = catchThrowable(() -> decoder.decode(new byte[] {0, 0, 0, 0, 7, 2}));
            assertThat(failure).isNotNull();
            logs.lines().add(CapturedLogs.stackTrace(failure));
        }
        Map<String, String> badUrl = new LinkedHashMap<>(registry);
        badUrl.put(SchemaRegistrySettings.URL, "https://KEY:url-secret@host:port/");
        Throwable invalid = catchThrowable(() -> SchemaRegistryClient.create(SchemaRegistrySettings.of(badUrl)));
        assertThat(invalid).isNotNull();
        logs.lines().add(CapturedLogs.stackTrace(invalid));

        assertThat(logs.lines()).anyMatch(line -> line.contains("not reachable"));
        assertNoSecretCaptured();
    }

    @Test
    void brokerLookupFailureLog() {
        Properties producer = new Properties();
        producer.setProperty("bootstrap.servers", "127.0.0.1:1");
        producer.setProperty("security.protocol", "SASL_SSL");
        producer.setProperty("sasl.mechanism", "PLAIN");
        producer.setProperty(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"K\""
                        + " password=\"jaas-secret\";");

        assertThat(BrokerTransactionLimit.lookup(producer, Duration.ofSeconds(1)))
                .isEmpty();

        assertThat(logs.lines()).anyMatch(line -> line.contains("Could not read the broker's"));
        assertNoSecretCaptured();
    }

    private static Map<String, String> registrySettings() {
        return Map.of(SchemaRegistrySettings.URL, "https://KEY:url-secret@127.0.0.1:1/apis");
    }

    private static Map<String, String> catalogProperties() {
        Map<String, String> catalog = new LinkedHashMap<>();
        catalog.put("type", "jdbc");
        catalog.put("uri", "jdbc:postgresql://h/db?user=u&password=jdbc-query-secret");
        catalog.put("jdbc.url-alternative", "jdbc:mysql://app:jdbc-userinfo-secret@db:3306/iceberg");
        catalog.put("s3.access-key-id", "AKIAEXAMPLE");
        catalog.put("s3.secret-access-key", "s3-secret");
        catalog.put("fs.azure.account.key.acct.dfs.core.windows.net", "azure-account-key-secret");
        catalog.put("adls.auth.shared-key.account.key", "adls-shared-key-secret");
        catalog.put("header.Authorization", "Bearer authorization-header-secret");
        catalog.put("token", "rest-token-secret");
        catalog.put("credential", "client:oauth-credential-secret");
        catalog.put("basic.auth.user.info", "K:user-info-secret");
        return catalog;
    }

    private static Schema record() {
        return SchemaBuilder.record("R").fields().requiredInt("a").endRecord();
    }

    private void assertNoSecretCaptured() {
        assertThat(logs.lines()).isNotEmpty();
        for (String line : logs.lines()) {
            for (String secret : SECRETS) {
                assertThat(line).as("a captured line, message or toString").doesNotContain(secret);
            }
        }
    }
}
