package dev.flinkkickstarter.common.config;

import dev.flinkkickstarter.common.config.ClientSettings.Target;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --config-source local}: no cloud. Per property, a flag beats its environment variable,
 * which beats a {@code .properties} file, which beats the localhost default that matches the local
 * runtime ({@code scripts/local-stack.sh}).
 *
 * <p>Files: {@code --kafka-properties-file} (consumer and producer), {@code
 * --consumer-properties-file}, {@code --producer-properties-file}, {@code
 * --schema-registry-properties-file}, {@code --catalog-properties-file}; the specific consumer and
 * producer files win over the shared Kafka file.
 */
final class LocalConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(LocalConfigSource.class);

    static final String BOOTSTRAP_SERVERS_FLAG = "bootstrap-servers";
    static final String BOOTSTRAP_SERVERS_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    static final String SCHEMA_REGISTRY_URL_FLAG = "schema-registry-url";
    static final String SCHEMA_REGISTRY_URL_ENV = "SCHEMA_REGISTRY_URL";
    /** The local runtime's Apicurio registry, which serves the Confluent API under this path. */
    static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://localhost:8085/apis/ccompat/v7";

    private LocalConfigSource() {}

    /** {@code --<target>-properties-file}, e.g. {@code --schema-registry-properties-file}. */
    static String propertiesFileFlag(Target target) {
        return target.id() + "-properties-file";
    }

    static void addTo(ClientSettings.Builder builder, JobArguments args) {
        builder.property(Target.KAFKA, ClientSettings.BOOTSTRAP_SERVERS, DEFAULT_BOOTSTRAP_SERVERS);
        builder.property(Target.SCHEMA_REGISTRY, SchemaRegistrySettings.URL, DEFAULT_SCHEMA_REGISTRY_URL);
        // Enum order puts the shared kafka file before the consumer and producer files.
        for (Target target : Target.values()) {
            String flag = propertiesFileFlag(target);
            args.get(flag).ifPresent(file -> builder.properties(target, readPropertiesFile(flag, Path.of(file))));
        }
        Optional<String> bootstrapServers = args.get(BOOTSTRAP_SERVERS_FLAG, BOOTSTRAP_SERVERS_ENV);
        bootstrapServers.ifPresent(
                servers -> builder.property(Target.KAFKA, ClientSettings.BOOTSTRAP_SERVERS, servers.trim()));
        Optional<String> registryUrl = args.get(SCHEMA_REGISTRY_URL_FLAG, SCHEMA_REGISTRY_URL_ENV);
        registryUrl.ifPresent(url -> builder.property(Target.SCHEMA_REGISTRY, SchemaRegistrySettings.URL, url.trim()));
        LOG.info(
                "Local configuration: bootstrap.servers from {}, schema.registry.url from {}",
                bootstrapServers.isPresent()
                        ? "--" + BOOTSTRAP_SERVERS_FLAG + "/" + BOOTSTRAP_SERVERS_ENV
                        : "a properties file or the default",
                registryUrl.isPresent()
                        ? "--" + SCHEMA_REGISTRY_URL_FLAG + "/" + SCHEMA_REGISTRY_URL_ENV
                        : "a properties file or the default");
    }

    private static Map<String, String> readPropertiesFile(String flag, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "--" + flag + " names " + file.toAbsolutePath() + ", which does not exist or is not a file");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read --" + flag + " file " + file.toAbsolutePath(), e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        LOG.info("Read {} from {}: {}", flag, file.toAbsolutePath(), values.keySet());
        return values;
    }
}
