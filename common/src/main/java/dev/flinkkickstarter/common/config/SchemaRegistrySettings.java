package dev.flinkkickstarter.common.config;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Schema Registry client settings, keyed by the property names Confluent's clients use ({@code
 * schema.registry.url}, {@code basic.auth.credentials.source}, {@code basic.auth.user.info}, ...).
 * Serializable because serializers built from it run on the TaskManagers.
 */
public final class SchemaRegistrySettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";

    private final TreeMap<String, String> properties;

    private SchemaRegistrySettings(Map<String, String> properties) {
        this.properties = new TreeMap<>(properties);
    }

    /** Settings from Confluent-named client properties; {@code schema.registry.url} is required. */
    public static SchemaRegistrySettings of(Map<String, String> properties) {
        checkNotNull(properties, "properties");
        String url = properties.get(URL);
        checkArgument(url != null && !url.isBlank(), "Schema Registry setting '%s' is required", URL);
        return new SchemaRegistrySettings(properties);
    }

    /** The registry base URLs, tried in turn. */
    public List<String> urls() {
        return Arrays.stream(properties.get(URL).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** All settings, secrets included: for building clients, never for printing. */
    public Map<String, String> properties() {
        return Collections.unmodifiableMap(properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchemaRegistrySettings other && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return properties.hashCode();
    }

    @Override
    public String toString() {
        return "SchemaRegistrySettings" + Secrets.redacted(properties);
    }
}
