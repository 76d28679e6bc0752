package dev.flinkkickstarter.common.config;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka, Schema Registry and Iceberg catalog client settings a job needs, validated and
 * immutable. A job's {@code main} calls {@link #load(JobArguments)}; tests build one with {@link
 * #builder()}.
 *
 * <p>Where the settings come from is chosen by {@code --config-source} (env {@code CONFIG_SOURCE}):
 * {@code local} (default: flags, env, {@code .properties} files, localhost defaults; see {@link
 * LocalConfigSource}) or {@code aws} (Secrets Manager + SSM Parameter Store; see {@link
 * AwsConfigSource}). Flags {@code --kafka.<prop>}, {@code --consumer.<prop>}, {@code
 * --producer.<prop>}, {@code --schema-registry.<prop>} and {@code --catalog.<prop>} are applied last
 * and so win over every source.
 */
public final class ClientSettings {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSettings.class);

    public static final String CONFIG_SOURCE_FLAG = "config-source";
    public static final String CONFIG_SOURCE_ENV = "CONFIG_SOURCE";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

    /** Where a group of properties goes; {@link #flagPrefix()} names its override flags. */
    public enum Target {
        /** Both consumer and producer. */
        KAFKA("kafka"),
        CONSUMER("consumer"),
        PRODUCER("producer"),
        SCHEMA_REGISTRY("schema-registry"),
        CATALOG("catalog");

        private final String id;

        Target(String id) {
            this.id = id;
        }

        /** The name used in flags and in {@code aws-contract.json}, e.g. {@code schema-registry}. */
        public String id() {
            return id;
        }

        /** Override flags start with this, e.g. {@code --schema-registry.basic.auth.user.info}. */
        public String flagPrefix() {
            return id + ".";
        }

        static Target ofId(String id) {
            return Arrays.stream(values())
                    .filter(t -> t.id.equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "Unknown target '" + id + "'; expected one of " + ids(values())));
        }
    }

    /** Where the settings come from, selected by {@code --config-source}. */
    public enum Source {
        LOCAL,
        AWS;

        static Source parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--" + CONFIG_SOURCE_FLAG + " (env " + CONFIG_SOURCE_ENV + ") must be "
                                + Arrays.stream(values())
                                        .map(s -> s.name().toLowerCase(Locale.ROOT))
                                        .collect(Collectors.joining(" or "))
                                + " but was '" + value + "'");
            }
        }
    }

    /** Every flag {@link #load} reads, for {@link JobArguments#checkOnlyKnownFlags}. */
    public static final Set<String> FLAGS = Set.of(
            CONFIG_SOURCE_FLAG,
            LocalConfigSource.BOOTSTRAP_SERVERS_FLAG,
            LocalConfigSource.SCHEMA_REGISTRY_URL_FLAG,
            LocalConfigSource.propertiesFileFlag(Target.KAFKA),
            LocalConfigSource.propertiesFileFlag(Target.CONSUMER),
            LocalConfigSource.propertiesFileFlag(Target.PRODUCER),
            LocalConfigSource.propertiesFileFlag(Target.SCHEMA_REGISTRY),
            LocalConfigSource.propertiesFileFlag(Target.CATALOG),
            AwsConfigSource.PREFIX_FLAG,
            AwsConfigSource.REGION_FLAG,
            AwsConfigSource.ENDPOINT_URL_FLAG);

    /** Every override flag prefix, for {@link JobArguments#checkOnlyKnownFlags}. */
    public static final List<String> FLAG_PREFIXES =
            Arrays.stream(Target.values()).map(Target::flagPrefix).toList();

    private final Map<String, String> consumer;
    private final Map<String, String> producer;
    private final SchemaRegistrySettings schemaRegistry;
    private final Map<String, String> catalog;

    private ClientSettings(Builder builder) {
        this.consumer = frozen(builder.properties.get(Target.CONSUMER));
        this.producer = frozen(builder.properties.get(Target.PRODUCER));
        this.schemaRegistry = SchemaRegistrySettings.of(builder.properties.get(Target.SCHEMA_REGISTRY));
        this.catalog = frozen(builder.properties.get(Target.CATALOG));
    }

    /** Loads the settings from the source {@code --config-source} names, then applies the override flags. */
    public static ClientSettings load(JobArguments args) {
        checkNotNull(args, "args");
        Source source = Source.parse(args.get(CONFIG_SOURCE_FLAG, CONFIG_SOURCE_ENV, "local"));
        Builder builder = builder();
        switch (source) {
            case LOCAL -> LocalConfigSource.addTo(builder, args);
            case AWS -> AwsConfigSource.withDefaultRegionChain().addTo(builder, args);
        }
        Map<String, List<String>> overridden = new TreeMap<>();
        for (Target target : Target.values()) {
            Map<String, String> overrides = args.withPrefix(target.flagPrefix());
            if (!overrides.isEmpty()) {
                builder.properties(target, overrides);
                overridden.put(target.id(), List.copyOf(new TreeMap<>(overrides).keySet()));
            }
        }
        if (!overridden.isEmpty()) {
            LOG.info("Override flags set {}", overridden);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh copy for a Kafka consumer; changing it does not change these settings. */
    public Properties consumerProperties() {
        return toProperties(consumer);
    }

    /** A fresh copy for a Kafka producer; changing it does not change these settings. */
    public Properties producerProperties() {
        return toProperties(producer);
    }

    public SchemaRegistrySettings schemaRegistry() {
        return schemaRegistry;
    }

    /** Iceberg catalog properties ({@code --catalog.<prop>}, SSM {@code iceberg_catalog/}); may be empty. */
    public Map<String, String> catalogProperties() {
        return catalog;
    }

    @Override
    public String toString() {
        return "ClientSettings{consumer=" + Secrets.redacted(consumer)
                + ", producer=" + Secrets.redacted(producer)
                + ", schemaRegistry=" + schemaRegistry
                + ", catalog=" + Secrets.redacted(catalog)
                + "}";
    }

    private static Map<String, String> frozen(Map<String, String> properties) {
        return Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    private static Properties toProperties(Map<String, String> properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    private static String ids(Target... targets) {
        return Arrays.stream(targets).map(Target::id).collect(Collectors.joining(", "));
    }

    /** Collects properties per {@link Target}; a later value for the same property wins. */
    public static final class Builder {

        private final Map<Target, Map<String, String>> properties = new EnumMap<>(Target.class);

        private Builder() {
            for (Target target : Target.values()) {
                properties.put(target, new LinkedHashMap<>());
            }
        }

        /** Adds {@code values} to {@code target}; {@link Target#KAFKA} adds them to consumer and producer. */
        public Builder properties(Target target, Map<String, String> values) {
            checkNotNull(target, "target");
            checkNotNull(values, "values");
            values.forEach((key, value) -> {
                checkArgument(key != null && !key.isBlank(), "A %s property name is empty", target.id());
                checkNotNull(value, "%s property %s has no value", target.id(), key);
            });
            if (target == Target.KAFKA) {
                properties.get(Target.CONSUMER).putAll(values);
                properties.get(Target.PRODUCER).putAll(values);
            } else {
                properties.get(target).putAll(values);
            }
            return this;
        }

        public Builder property(Target target, String key, String value) {
            return properties(target, Map.of(key, value));
        }

        public ClientSettings build() {
            sanityCheck();
            return new ClientSettings(this);
        }

        private void sanityCheck() {
            for (Target client : List.of(Target.CONSUMER, Target.PRODUCER)) {
                String servers = properties.get(client).get(BOOTSTRAP_SERVERS);
                checkArgument(
                        servers != null && !servers.isBlank(),
                        "Kafka %s property %s is not set: pass --%s (local) or --%s%s",
                        client.id(),
                        BOOTSTRAP_SERVERS,
                        LocalConfigSource.BOOTSTRAP_SERVERS_FLAG,
                        Target.KAFKA.flagPrefix(),
                        BOOTSTRAP_SERVERS);
            }
        }
    }
}
