package dev.flinkkickstarter.common.config;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * Schema Registry client settings, parsed and checked once when they are made: every key the registry client
 * reads is here, under the property names Confluent's clients use, with its default.
 *
 * <ul>
 *   <li>{@value #URL} (required): comma-separated base URLs, tried in turn when one cannot be reached (for
 *       Apicurio: {@code http://host:port/apis/ccompat/v7}).
 *   <li>{@value #CREDENTIALS_SOURCE}: {@code USER_INFO} (credentials in {@value #USER_INFO} as {@code
 *       KEY:SECRET}) or {@code URL} (credentials embedded in the URL as {@code https://KEY:SECRET@host}). Unset
 *       means {@code USER_INFO} when {@value #USER_INFO} is set, else {@code URL}.
 *   <li>{@value #CONNECT_TIMEOUT_MS} (default 10000) and {@value #READ_TIMEOUT_MS} (default 30000).
 *   <li>{@value #MAX_RETRIES} (default 3), {@value #RETRIES_WAIT_MS} (default 1000) and {@value
 *       #RETRIES_MAX_WAIT_MS} (default 20000): connect errors, timeouts, 429 and 5xx are retried with
 *       exponential backoff, every URL being tried once per attempt.
 *   <li>{@value #AUTO_REGISTER_SCHEMAS} (default true) and {@value #USE_LATEST_VERSION} (default false): which
 *       id a serializer writes (see {@code SchemaRegistryClient#writerSchemaId}).
 *   <li>{@value #MISSING_ID_CACHE_TTL_SEC} (default 60) and {@value #MISSING_CACHE_SIZE} (default 10000): a
 *       schema id that every registry URL answering called unknown (404) is answered from memory for that long,
 *       without a request; at most that many such ids are remembered.
 * </ul>
 *
 * <p>Serializable because serializers and decoders built from it run on the TaskManagers. Credentials never
 * appear in a message or {@code toString}: URLs are stripped of their user info as they are parsed, and a URL
 * that does not parse is named by its position, not its text.
 */
public final class SchemaRegistrySettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String MISSING_ID_CACHE_TTL_SEC = "missing.id.cache.ttl.sec";
    public static final String MISSING_CACHE_SIZE = "missing.cache.size";

    /** As given, secrets included: for equality and for the redacted {@link #toString()}. */
    private final TreeMap<String, String> properties;

    private final List<URI> urls;

    @Nullable
    private final String authorizationHeader;

    private final Timeouts timeouts;
    private final Retries retries;
    private final WriterSchemaIdPolicy writerSchemaIdPolicy;
    private final UnknownIdCache unknownIdCache;

    private SchemaRegistrySettings(Map<String, String> properties) {
        this.properties = new TreeMap<>(properties);
        String url = properties.get(URL);
        checkArgument(url != null && !url.isBlank(), "Schema Registry setting '%s' is required", URL);
        List<String> rawUrls = Arrays.stream(url.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        checkArgument(!rawUrls.isEmpty(), "'%s' names no URL", URL);
        List<URI> parsedUrls = new ArrayList<>();
        String urlUserInfo = null;
        for (int i = 0; i < rawUrls.size(); i++) {
            URI uri = parseUrl(rawUrls.get(i), i + 1);
            if (urlUserInfo == null && uri.getUserInfo() != null) {
                urlUserInfo = uri.getUserInfo();
            }
            parsedUrls.add(withoutUserInfo(uri));
        }
        this.urls = List.copyOf(parsedUrls);
        this.authorizationHeader = basicAuthHeader(urlUserInfo);
        this.timeouts = new Timeouts(
                Duration.ofMillis(positiveLong(CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(positiveLong(READ_TIMEOUT_MS, 30_000)));
        this.retries = new Retries(
                (int) Math.min(Integer.MAX_VALUE, nonNegativeLong(MAX_RETRIES, 3)),
                nonNegativeLong(RETRIES_WAIT_MS, 1_000),
                nonNegativeLong(RETRIES_MAX_WAIT_MS, 20_000));
        this.writerSchemaIdPolicy =
                WriterSchemaIdPolicy.of(bool(AUTO_REGISTER_SCHEMAS, true), bool(USE_LATEST_VERSION, false));
        this.unknownIdCache =
                new UnknownIdCache(Duration.ofSeconds(nonNegativeLong(MISSING_ID_CACHE_TTL_SEC, 60)), (int)
                        Math.min(Integer.MAX_VALUE, positiveLong(MISSING_CACHE_SIZE, 10_000)));
    }

    /**
     * Settings from Confluent-named client properties; {@value #URL} is required.
     *
     * @throws IllegalArgumentException naming the setting that is missing or unusable (never its secret)
     */
    public static SchemaRegistrySettings of(Map<String, String> properties) {
        return new SchemaRegistrySettings(checkNotNull(properties, "properties"));
    }

    /** The registry base URLs, tried in turn, without credentials or trailing slashes: safe to print. */
    public List<URI> urls() {
        return urls;
    }

    /** The {@code Authorization} header value for basic auth; empty without credentials. Never print it. */
    public Optional<String> authorizationHeader() {
        return Optional.ofNullable(authorizationHeader);
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public Retries retries() {
        return retries;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** All settings as given, secrets included: never for printing. */
    public Map<String, String> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public WriterSchemaIdPolicy writerSchemaIdPolicy() {
        return writerSchemaIdPolicy;
    }

    public UnknownIdCache unknownIdCache() {
        return unknownIdCache;
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

    /** Per request: {@value #CONNECT_TIMEOUT_MS} and {@value #READ_TIMEOUT_MS}. */
    public record Timeouts(Duration connect, Duration read) implements Serializable {}

    /**
     * The retry budget: a failed request is tried {@code maxRetries} more times, waiting {@code waitMs} before
     * the first retry and doubling that up to {@code maxWaitMs}.
     */
    public record Retries(int maxRetries, long waitMs, long maxWaitMs) implements Serializable {

        /** The budget as its settings, for the message that says it is spent. */
        @Override
        public String toString() {
            return MAX_RETRIES + "=" + maxRetries + ", " + RETRIES_WAIT_MS + "=" + waitMs + ", " + RETRIES_MAX_WAIT_MS
                    + "=" + maxWaitMs;
        }
    }

    /**
     * Schema ids that no registry URL knows are answered from memory for {@code ttl} (zero: not remembered);
     * at most {@code maxSize} unknown or unusable ids are remembered.
     */
    public record UnknownIdCache(Duration ttl, int maxSize) implements Serializable {}

    /** Which id a serializer writes for its schema, from {@value #AUTO_REGISTER_SCHEMAS} and {@value #USE_LATEST_VERSION}. */
    public enum WriterSchemaIdPolicy {
        /** Registers the schema (idempotent: a schema already registered keeps its id). The default. */
        REGISTER,
        /** The subject's latest version, which must be the writer's schema: CI or Terraform registers schemas. */
        LATEST_VERSION,
        /** Looks the schema up under the subject: it must have been registered before. */
        LOOKUP;

        private static WriterSchemaIdPolicy of(boolean autoRegisterSchemas, boolean useLatestVersion) {
            // As in Confluent's serializers, use.latest.version only applies without auto-registration;
            // failing here beats silently registering schemas against a Terraform-managed registry.
            checkArgument(
                    !(useLatestVersion && autoRegisterSchemas),
                    "'%s=true' requires '%s=false': a job that writes with the latest registered schema must"
                            + " not register schemas itself",
                    USE_LATEST_VERSION,
                    AUTO_REGISTER_SCHEMAS);
            if (autoRegisterSchemas) {
                return REGISTER;
            }
            return useLatestVersion ? LATEST_VERSION : LOOKUP;
        }
    }

    private static URI parseUrl(String url, int position) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // The URL may embed credentials: say which entry is wrong, never what it contains.
            throw new IllegalArgumentException("Entry " + position + " of '" + URL + "' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        checkArgument(
                (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null,
                "Entry %s of '%s' must be an http(s) URL with a host",
                position,
                URL);
        return uri;
    }

    private static URI withoutUserInfo(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        return URI.create(uri.getScheme() + "://" + uri.getHost() + port + path);
    }

    @Nullable
    private String basicAuthHeader(@Nullable String urlUserInfo) {
        String userInfo = get(USER_INFO).filter(s -> !s.isBlank()).orElse(null);
        String source = get(CREDENTIALS_SOURCE)
                .map(s -> s.trim().toUpperCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .orElse(userInfo != null ? "USER_INFO" : "URL");
        String credentials;
        switch (source) {
            case "USER_INFO" -> {
                checkArgument(
                        userInfo != null, "'%s=USER_INFO' requires '%s' (KEY:SECRET)", CREDENTIALS_SOURCE, USER_INFO);
                credentials = userInfo;
            }
            case "URL" -> credentials = urlUserInfo;
            default ->
                throw new IllegalArgumentException(
                        "Unsupported '" + CREDENTIALS_SOURCE + "': " + source + " (supported: USER_INFO, URL)");
        }
        if (credentials == null) {
            return null;
        }
        checkArgument(
                credentials.indexOf(':') > 0,
                "Schema Registry credentials (source %s) must have the form KEY:SECRET",
                source);
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private long positiveLong(String key, long defaultValue) {
        long value = longSetting(key, defaultValue);
        checkArgument(value > 0, "'%s' must be positive, got %s", key, value);
        return value;
    }

    private long nonNegativeLong(String key, long defaultValue) {
        long value = longSetting(key, defaultValue);
        checkArgument(value >= 0, "'%s' must not be negative, got %s", key, value);
        return value;
    }

    private long longSetting(String key, long defaultValue) {
        String value = get(key).map(String::trim).orElse("");
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got '" + value + "'");
        }
    }

    private boolean bool(String key, boolean defaultValue) {
        String value = get(key).map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
        return switch (value) {
            case "" -> defaultValue;
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + key + "' must be true or false, got '" + value + "'");
        };
    }
}
