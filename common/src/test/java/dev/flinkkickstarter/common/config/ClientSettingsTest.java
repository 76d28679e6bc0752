package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.ClientSettings.Target;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClientSettings} with the local source: defaults, precedence, files, overrides, validation. */
class ClientSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheLocalRuntime() {
        ClientSettings settings = load(Map.of());

        assertThat(settings.consumerProperties()).containsExactly(Map.entry("bootstrap.servers", "localhost:9092"));
        assertThat(settings.producerProperties()).containsExactly(Map.entry("bootstrap.servers", "localhost:9092"));
        assertThat(settings.schemaRegistry().urls())
                .containsExactly(URI.create("http://localhost:8085/apis/ccompat/v7"));
        assertThat(settings.catalogProperties()).isEmpty();
    }

    @Test
    void configSourceFlagBeatsEnvironment() {
        assertThatThrownBy(() -> load(Map.of("CONFIG_SOURCE", "aws"), "--config-source", "nonsense"))
                .hasMessageContaining("'nonsense'");
        assertThat(load(Map.of("CONFIG_SOURCE", "aws"), "--config-source", "LOCAL")
                        .schemaRegistry()
                        .urls())
                .containsExactly(URI.create("http://localhost:8085/apis/ccompat/v7"));
    }

    @Test
    void unknownConfigSourceListsTheChoices() {
        assertThatThrownBy(() -> load(Map.of("CONFIG_SOURCE", "cloud")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("--config-source", "CONFIG_SOURCE", "local or aws", "'cloud'");
    }

    @Test
    void bootstrapServersPrecedenceIsFlagThenEnvThenFileThenDefault() throws IOException {
        Path file = write("kafka.properties", "bootstrap.servers=from-file:9092\n");
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "from-env:9092");

        assertThat(bootstrapServers(load(Map.of()))).isEqualTo("localhost:9092");
        assertThat(bootstrapServers(load(Map.of(), "--kafka-properties-file", file.toString())))
                .isEqualTo("from-file:9092");
        assertThat(bootstrapServers(load(env, "--kafka-properties-file", file.toString())))
                .isEqualTo("from-env:9092");
        assertThat(bootstrapServers(
                        load(env, "--kafka-properties-file", file.toString(), "--bootstrap-servers", "from-flag:9092")))
                .isEqualTo("from-flag:9092");
        assertThat(bootstrapServers(load(
                        env,
                        "--bootstrap-servers",
                        "from-flag:9092",
                        "--kafka.bootstrap.servers",
                        "from-override:9092")))
                .isEqualTo("from-override:9092");
    }

    @Test
    void schemaRegistryUrlPrecedenceIsFlagThenEnvThenFileThenDefault() throws IOException {
        Path file = write(
                "registry.properties", "schema.registry.url=http://from-file:8081\nauto.register.schemas=false\n");
        Map<String, String> env = Map.of("SCHEMA_REGISTRY_URL", "http://from-env:8081");

        assertThat(registryUrl(load(Map.of(), "--schema-registry-properties-file", file.toString())))
                .isEqualTo("http://from-file:8081");
        assertThat(registryUrl(load(env, "--schema-registry-properties-file", file.toString())))
                .isEqualTo("http://from-env:8081");
        assertThat(registryUrl(load(env, "--schema-registry-url", "http://from-flag:8081")))
                .isEqualTo("http://from-flag:8081");
        assertThat(registryUrl(load(
                        env,
                        "--schema-registry-url",
                        "http://from-flag:8081",
                        "--schema-registry.schema.registry.url",
                        "http://from-override:8081")))
                .isEqualTo("http://from-override:8081");
        assertThat(load(Map.of(), "--schema-registry-properties-file", file.toString())
                        .schemaRegistry()
                        .get("auto.register.schemas"))
                .contains("false");
    }

    @Test
    void specificFilesAndOverridesBeatSharedOnes() throws IOException {
        Path kafka = write("kafka.properties", "security.protocol=SASL_SSL\nclient.id=shared\nratio=0.10\n");
        Path consumer = write("consumer.properties", "client.id=consumer-file\ngroup.id=flights\n");
        Path producer = write("producer.properties", "client.id=producer-file\n");
        Path catalog = write("catalog.properties", "type=hadoop\nwarehouse=file:///tmp/warehouse\n");

        ClientSettings settings = load(
                Map.of(),
                "--kafka-properties-file",
                kafka.toString(),
                "--consumer-properties-file",
                consumer.toString(),
                "--producer-properties-file",
                producer.toString(),
                "--catalog-properties-file",
                catalog.toString(),
                "--kafka.acks=all",
                "--kafka.group.id=shared-override",
                "--consumer.group.id=consumer-override",
                "--producer.linger.ms=5",
                "--catalog.warehouse=s3://bucket/warehouse");

        assertThat(settings.consumerProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ratio", "0.10")
                .containsEntry("client.id", "consumer-file")
                .containsEntry("group.id", "consumer-override")
                .containsEntry("acks", "all")
                .doesNotContainKey("linger.ms");
        assertThat(settings.producerProperties())
                .containsEntry("client.id", "producer-file")
                .containsEntry("group.id", "shared-override")
                .containsEntry("linger.ms", "5");
        assertThat(settings.catalogProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of("type", "hadoop", "warehouse", "s3://bucket/warehouse"));
    }

    @Test
    void missingPropertiesFileNamesFlagAndPath() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> load(Map.of(), "--consumer-properties-file", missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(
                        "--consumer-properties-file", missing.toAbsolutePath().toString());
    }

    @Test
    void returnsDefensiveCopies() {
        ClientSettings settings = load(Map.of(), "--catalog.type=hadoop");

        Properties consumer = settings.consumerProperties();
        consumer.setProperty("bootstrap.servers", "changed:9092");
        settings.producerProperties().setProperty("acks", "0");

        assertThat(bootstrapServers(settings)).isEqualTo("localhost:9092");
        assertThat(settings.producerProperties()).doesNotContainKey("acks");
        assertThatThrownBy(() -> settings.catalogProperties().put("type", "rest"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builderRequiresBootstrapServersAndRegistryUrl() {
        assertThatThrownBy(() -> ClientSettings.builder()
                        .property(Target.CONSUMER, "bootstrap.servers", "b:9092")
                        .property(Target.SCHEMA_REGISTRY, SchemaRegistrySettings.URL, "http://r:8081")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("producer", "bootstrap.servers", "--bootstrap-servers");
        assertThatThrownBy(() -> ClientSettings.builder()
                        .property(Target.KAFKA, "bootstrap.servers", "b:9092")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SchemaRegistrySettings.URL);
    }

    @Test
    void everyDocumentedFlagIsKnown() {
        JobArguments args = JobArguments.parse(
                new String[] {
                    "--config-source=local",
                    "--bootstrap-servers=b:9092",
                    "--schema-registry-url=http://r:8081",
                    "--kafka-properties-file=a",
                    "--consumer-properties-file=b",
                    "--producer-properties-file=c",
                    "--schema-registry-properties-file=d",
                    "--catalog-properties-file=e",
                    "--aws-prefix=/p",
                    "--aws-region=eu-west-1",
                    "--aws-endpoint-url=http://localhost:4566",
                    "--kafka.acks=all",
                    "--consumer.group.id=g",
                    "--producer.linger.ms=5",
                    "--schema-registry.auto.register.schemas=false",
                    "--catalog.type=hadoop"
                },
                Map.of());

        args.checkOnlyKnownFlags(ClientSettings.FLAGS, ClientSettings.FLAG_PREFIXES);
        assertThatThrownBy(() -> JobArguments.parse(new String[] {"--bootstrap-server=b:9092"}, Map.of())
                        .checkOnlyKnownFlags(ClientSettings.FLAGS, ClientSettings.FLAG_PREFIXES))
                .hasMessageContaining("--bootstrap-server");
    }

    @Test
    void toStringRedactsSecrets() {
        ClientSettings settings = load(
                Map.of(),
                "--kafka.sasl.jaas.config=PlainLoginModule required password=\"hunter2\";",
                "--schema-registry.basic.auth.user.info=KEY:hunter3",
                "--catalog.s3.secret-access-key=hunter4");

        assertThat(settings.toString())
                .contains("sasl.jaas.config", "basic.auth.user.info", "localhost:9092")
                .doesNotContain("hunter2", "hunter3", "hunter4");
    }

    private ClientSettings load(Map<String, String> env, String... args) {
        return ClientSettings.load(JobArguments.parse(args, env));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String bootstrapServers(ClientSettings settings) {
        return settings.consumerProperties().getProperty("bootstrap.servers");
    }

    private static String registryUrl(ClientSettings settings) {
        return settings.schemaRegistry().properties().get(SchemaRegistrySettings.URL);
    }
}
