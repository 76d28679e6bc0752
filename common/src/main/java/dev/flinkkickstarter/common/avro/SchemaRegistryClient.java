package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Confluent Schema Registry REST client on the JDK's {@code java.net.http}, for the calls the
 * Confluent wire format needs: register, lookup, get by id and latest version of a subject.
 *
 * <p>Every answer is cached for the life of the client (one per Flink task), so a stream of records
 * costs one HTTP round trip per distinct (subject, schema) and per schema id, never one per record.
 * The caches grow with the number of distinct schemas, not with the number of records.
 *
 * <p>Settings use Confluent's client property names:
 *
 * <ul>
 *   <li>{@code schema.registry.url}: comma-separated base URLs, tried in turn when one cannot be
 *       reached (for Apicurio: {@code http://host:port/apis/ccompat/v7}).
 *   <li>{@code basic.auth.credentials.source}: {@code USER_INFO} (credentials in {@code
 *       basic.auth.user.info} as {@code KEY:SECRET}) or {@code URL} (credentials embedded in the URL
 *       as {@code https://KEY:SECRET@host}). Unset means {@code USER_INFO} when {@code
 *       basic.auth.user.info} is set, else {@code URL}.
 *   <li>{@code http.connect.timeout.ms} (default 10000) and {@code http.read.timeout.ms} (default
 *       30000).
 *   <li>{@code max.retries} (default 3), {@code retries.wait.ms} (default 1000) and {@code
 *       retries.max.wait.ms} (default 20000): connect errors, timeouts, 429 and 5xx are retried with
 *       exponential backoff, every URL being tried once per attempt.
 *   <li>{@code auto.register.schemas} (default true) and {@code use.latest.version} (default false):
 *       see {@link #writerSchemaId}.
 *   <li>{@code missing.id.cache.ttl.sec} (default 60) and {@code missing.cache.size} (default
 *       10000): a schema id that every registry URL answering called unknown (404) is answered from
 *       memory for that long, without a request; at most that many such ids are remembered.
 * </ul>
 *
 * <p>A schema id whose answer is not a usable Avro schema (another schema type, references, text
 * Avro cannot parse) is an {@link UnusableSchemaException}, remembered for good: ids are immutable.
 * Only a registry that stays unreachable or overloaded (connect errors, timeouts, 429, 5xx) through
 * {@code max.retries} retries is a plain {@link SchemaRegistryException} that should fail the job.
 *
 * <p>Credentials never appear in a message, log line or {@code toString}: URLs are stripped of their
 * user info as they are parsed.
 */
public final class SchemaRegistryClient implements Closeable {

    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String MISSING_ID_CACHE_TTL_SEC = "missing.id.cache.ttl.sec";
    public static final String MISSING_CACHE_SIZE = "missing.cache.size";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/json";
    /** Registry error messages are quoted in ours; a misconfigured proxy may answer with a whole HTML page. */
    private static final int MAX_QUOTED_BODY_CHARS = 300;

    private static final ThreadFactory HTTP_THREADS = runnable -> {
        Thread thread = new Thread(runnable, "schema-registry-http");
        thread.setDaemon(true); // never keeps a JVM alive
        return thread;
    };

    private final List<URI> baseUrls;

    @Nullable
    private final String authorizationHeader;

    private final Duration readTimeout;
    private final int maxRetries;
    private final long retriesWaitMs;
    private final long retriesMaxWaitMs;
    private final boolean autoRegisterSchemas;
    private final boolean useLatestVersion;
    private final long missingIdTtlNanos;
    private final HttpClient http;
    private volatile SchemaRegistryListener listener = SchemaRegistryListener.NONE;
    /** The HTTP client's threads, ours so that {@link #close()} can stop them (Java 17's HttpClient has no close). */
    private final ExecutorService httpExecutor;

    private volatile boolean closed;

    private final Map<SubjectAndSchema, Integer> registeredIds = new ConcurrentHashMap<>();
    private final Map<SubjectAndSchema, RegisteredSchema> lookedUp = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, RegisteredSchema> latestBySubject = new ConcurrentHashMap<>();
    private final Map<SubjectVersion, RegisteredSchema> byVersion = new ConcurrentHashMap<>();
    /** Ids that are unknown (until their entry expires) or unusable (for good); bounded, oldest out first. */
    private final FailedIds failedIds;

    private SchemaRegistryClient(Config config) {
        this.baseUrls = config.baseUrls();
        this.authorizationHeader = config.authorizationHeader();
        this.readTimeout = config.readTimeout();
        this.maxRetries = config.maxRetries();
        this.retriesWaitMs = config.retriesWaitMs();
        this.retriesMaxWaitMs = config.retriesMaxWaitMs();
        this.autoRegisterSchemas = config.autoRegisterSchemas();
        this.useLatestVersion = config.useLatestVersion();
        this.missingIdTtlNanos = config.missingIdCacheTtl().toNanos();
        this.failedIds = new FailedIds(config.missingCacheSize());
        this.httpExecutor = Executors.newCachedThreadPool(HTTP_THREADS);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .executor(httpExecutor)
                .build();
    }

    /** A client for these settings; it opens no connection until the first request. */
    public static SchemaRegistryClient create(SchemaRegistrySettings settings) {
        return new SchemaRegistryClient(Config.parse(checkNotNull(settings, "settings")));
    }

    /**
     * Fails with an {@link IllegalArgumentException} naming the problem if {@code settings} cannot make
     * a client, so that a job fails when it is built rather than on its first record.
     */
    public static void checkSettings(SchemaRegistrySettings settings) {
        Config.parse(checkNotNull(settings, "settings"));
    }

    /** Reports this client's requests and cache hits to {@code listener} from now on. */
    public void setListener(SchemaRegistryListener listener) {
        this.listener = checkNotNull(listener, "listener");
    }

    /** The registry base URLs, without credentials: safe to print. */
    public List<URI> urls() {
        return baseUrls;
    }

    /**
     * The id a serializer writes for {@code schema} under {@code subject}, by the configured policy:
     *
     * <ul>
     *   <li>{@code auto.register.schemas=true} (default): registers the schema (idempotent: a schema
     *       already registered keeps its id and no new version is created).
     *   <li>{@code use.latest.version=true}: the latest version of the subject, which must be this
     *       schema — for registries where CI or Terraform registers schemas and jobs must not.
     *   <li>otherwise: looks the schema up under the subject; it must have been registered before.
     * </ul>
     */
    public int writerSchemaId(String subject, Schema schema) throws IOException {
        if (autoRegisterSchemas) {
            return register(subject, schema);
        }
        if (useLatestVersion) {
            RegisteredSchema latest;
            try {
                latest = latest(subject);
            } catch (SchemaRegistryException e) {
                if (e.isNotFound()) {
                    throw new SchemaRegistryException(
                            e.getMessage()
                                    + ". Auto-registration is off (use.latest.version=true): register the schema"
                                    + " for subject '" + subject + "' first, e.g. with Terraform or your CI"
                                    + " pipeline.",
                            e.httpStatus(),
                            e);
                }
                throw e;
            }
            if (!latest.schema().equals(schema)) {
                throw new SchemaRegistryException(
                        "The latest version (version " + latest.version() + ", id " + latest.id()
                                + ") of subject '" + subject + "' at " + baseUrls
                                + " is not the schema this job writes with (" + schema.getFullName()
                                + "): register the job's schema as the subject's latest version, or run a"
                                + " job built from the latest schema.",
                        200);
            }
            return latest.id();
        }
        try {
            return lookup(subject, schema).id();
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new SchemaRegistryException(
                        e.getMessage() + ". Auto-registration is off (auto.register.schemas=false): register"
                                + " the schema for subject '" + subject + "' first, e.g. with Terraform or your"
                                + " CI pipeline.",
                        e.httpStatus(),
                        e);
            }
            throw e;
        }
    }

    /** Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}). */
    public int register(String subject, Schema schema) throws IOException {
        SubjectAndSchema key = new SubjectAndSchema(subject, schema);
        Integer cached = registeredIds.get(key);
        if (cached != null) {
            return cached;
        }
        Response response = send("POST", "/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema));
        switch (response.status()) {
            case 200 -> {
                int id = requiredInt(response, "id");
                registeredIds.put(key, id);
                schemasById.putIfAbsent(id, schema);
                LOG.info(
                        "Schema {} for subject '{}' has id {} at {}",
                        schema.getFullName(),
                        subject,
                        id,
                        response.url());
                return id;
            }
            case 409 -> {
                // Apicurio also answers 409 when another writer registered this very schema a moment
                // earlier (parallel writers, first run): then the schema is there and has an id.
                Optional<RegisteredSchema> concurrentlyRegistered = findRegistered(subject, schema);
                if (concurrentlyRegistered.isPresent()) {
                    int id = concurrentlyRegistered.get().id();
                    registeredIds.put(key, id);
                    return id;
                }
                throw new SchemaRegistryException(
                        "Schema " + schema.getFullName()
                                + " is incompatible with the compatibility setting of subject '"
                                + subject + "' at " + response.url() + " (HTTP 409): evolve it compatibly (e.g. new"
                                + " fields need defaults) or change the subject's compatibility. Registry says: "
                                + response.registryMessage(),
                        409);
            }
            case 422 ->
                throw new SchemaRegistryException(
                        "Schema Registry at " + response.url() + " rejected schema " + schema.getFullName()
                                + " for subject '" + subject + "' as invalid (HTTP 422): " + response.registryMessage(),
                        422);
            default -> throw failure(response, "registering a schema for subject '" + subject + "'");
        }
    }

    /** Finds {@code schema} among the versions of {@code subject} ({@code POST /subjects/{subject}}). */
    public RegisteredSchema lookup(String subject, Schema schema) throws IOException {
        SubjectAndSchema key = new SubjectAndSchema(subject, schema);
        RegisteredSchema cached = lookedUp.get(key);
        if (cached != null) {
            return cached;
        }
        Response response = send("POST", "/subjects/" + pathSegment(subject), schemaBody(schema));
        if (response.status() == 404) {
            throw new SchemaRegistryException(
                    "Schema " + schema.getFullName() + " is not registered under subject '" + subject + "' at "
                            + response.url() + " (HTTP 404: " + response.registryMessage() + ")",
                    404);
        }
        if (response.status() != 200) {
            throw failure(response, "looking up a schema under subject '" + subject + "'");
        }
        RegisteredSchema found =
                new RegisteredSchema(subject, requiredInt(response, "id"), requiredInt(response, "version"), schema);
        lookedUp.put(key, found);
        schemasById.putIfAbsent(found.id(), schema);
        return found;
    }

    private Optional<RegisteredSchema> findRegistered(String subject, Schema schema) throws IOException {
        try {
            return Optional.of(lookup(subject, schema));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The schema with this global id ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} if every URL
     *     that answered does not know the id (remembered for {@code missing.id.cache.ttl.sec})
     * @throws UnusableSchemaException if the id's schema is not a usable Avro schema (remembered)
     */
    public Schema getById(int id) throws IOException {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        SchemaRegistryException failed = failedIds.get(id, System.nanoTime());
        if (failed != null) {
            if (failed.isNotFound()) {
                listener.unknownSchemaIdCacheHit(id);
            }
            throw failed;
        }
        Response response = send("GET", "/schemas/ids/" + id, null);
        if (response.status() == 404) {
            SchemaRegistryException notFound = new SchemaRegistryException(
                    "Schema id " + id + " not found at " + (baseUrls.size() == 1 ? response.url() : baseUrls)
                            + " (HTTP 404: " + response.registryMessage() + ")",
                    404);
            if (missingIdTtlNanos > 0) {
                failedIds.put(id, notFound, System.nanoTime() + missingIdTtlNanos);
            }
            throw notFound;
        }
        if (response.status() != 200) {
            throw failure(response, "fetching schema id " + id);
        }
        Schema schema;
        try {
            schema = parseAvroSchema(response, "Schema id " + id);
        } catch (UnusableSchemaException e) {
            failedIds.put(id, e, Long.MAX_VALUE);
            throw e;
        }
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}). */
    public RegisteredSchema latest(String subject) throws IOException {
        RegisteredSchema cached = latestBySubject.get(subject);
        if (cached != null) {
            return cached;
        }
        Response response = send("GET", "/subjects/" + pathSegment(subject) + "/versions/latest", null);
        if (response.status() == 404) {
            throw new SchemaRegistryException(
                    "Subject '" + subject + "' not found at " + response.url() + " (HTTP 404: "
                            + response.registryMessage() + ")",
                    404);
        }
        if (response.status() != 200) {
            throw failure(response, "fetching the latest version of subject '" + subject + "'");
        }
        int id = requiredInt(response, "id");
        Schema schema = schemasById.get(id);
        if (schema == null) {
            schema = parseAvroSchema(response, "the latest version of subject '" + subject + "'");
            Schema raced = schemasById.putIfAbsent(id, schema);
            schema = raced != null ? raced : schema;
        }
        RegisteredSchema latest = new RegisteredSchema(subject, id, requiredInt(response, "version"), schema);
        latestBySubject.put(subject, latest);
        return latest;
    }

    /**
     * The version numbers of {@code subject} ({@code GET /subjects/{subject}/versions}), ascending; empty if the
     * subject does not exist. Not cached: producers register new versions at any time.
     */
    public List<Integer> versions(String subject) throws IOException {
        checkNotNull(subject, "subject");
        Response response = send("GET", "/subjects/" + pathSegment(subject) + "/versions", null);
        if (response.status() == 404) {
            return List.of();
        }
        if (response.status() != 200) {
            throw failure(response, "listing the versions of subject '" + subject + "'");
        }
        JsonNode json = response.json();
        if (!json.isArray()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered the versions of subject '" + subject
                            + "' with something other than a list: " + response.quotedBody(),
                    response.status());
        }
        List<Integer> versions = new ArrayList<>();
        for (JsonNode version : json) {
            if (!version.canConvertToInt()) {
                throw new SchemaRegistryException(
                        "Schema Registry at " + response.url() + " listed a non-numeric version of subject '" + subject
                                + "': " + response.quotedBody(),
                        response.status());
            }
            versions.add(version.intValue());
        }
        Collections.sort(versions);
        return versions;
    }

    /**
     * Version {@code version} of {@code subject} ({@code GET /subjects/{subject}/versions/{version}}). Cached: a
     * registered version never changes.
     */
    public RegisteredSchema version(String subject, int version) throws IOException {
        checkNotNull(subject, "subject");
        checkArgument(version > 0, "Versions start at 1, not %s", version);
        SubjectVersion key = new SubjectVersion(subject, version);
        RegisteredSchema cached = byVersion.get(key);
        if (cached != null) {
            return cached;
        }
        Response response = send("GET", "/subjects/" + pathSegment(subject) + "/versions/" + version, null);
        if (response.status() == 404) {
            throw new SchemaRegistryException(
                    "Version " + version + " of subject '" + subject + "' not found at " + response.url()
                            + " (HTTP 404: " + response.registryMessage() + ")",
                    404);
        }
        if (response.status() != 200) {
            throw failure(response, "fetching version " + version + " of subject '" + subject + "'");
        }
        int id = requiredInt(response, "id");
        Schema schema = schemasById.get(id);
        if (schema == null) {
            schema = parseAvroSchema(response, "version " + version + " of subject '" + subject + "'");
            Schema raced = schemasById.putIfAbsent(id, schema);
            schema = raced != null ? raced : schema;
        }
        RegisteredSchema found = new RegisteredSchema(subject, id, version, schema);
        byVersion.put(key, found);
        return found;
    }

    /**
     * Stops the HTTP client's worker threads and drops the caches; later requests fail. The JDK closes
     * the client's connections and its selector thread once the client is unreachable, so whoever holds
     * this client must drop its reference too (as {@link ConfluentSchemaCoder#close()} does).
     */
    @Override
    public void close() {
        closed = true;
        httpExecutor.shutdownNow();
        registeredIds.clear();
        lookedUp.clear();
        schemasById.clear();
        latestBySubject.clear();
        byVersion.clear();
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient" + baseUrls;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Sends the request to each URL in turn, retrying connect errors, timeouts, 429 and 5xx with
     * backoff. A 404 is only the answer once every URL has been asked: one registry node (or a URL
     * pointing at the wrong registry) not knowing something does not make it unknown. URLs that stay
     * unreachable do not hold up a 404 from the others.
     */
    private Response send(String method, String path, @Nullable String body) throws IOException {
        String what = method + " " + path;
        if (closed) {
            throw new IOException("Schema Registry client " + baseUrls + " is closed; cannot send " + what);
        }
        Response lastRetryableResponse = null;
        IOException lastIoError = null;
        URI lastIoErrorUrl = null;
        for (int attempt = 0; ; attempt++) {
            Response notFound = null;
            for (URI baseUrl : baseUrls) {
                HttpRequest request = request(baseUrl, method, path, body);
                long start = System.nanoTime();
                try {
                    HttpResponse<String> httpResponse =
                            http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    listener.registryCall(httpResponse.statusCode(), System.nanoTime() - start);
                    Response response = new Response(baseUrl, httpResponse.statusCode(), httpResponse.body());
                    if (response.status() == 404) {
                        notFound = response;
                        continue;
                    }
                    if (!isRetryable(response.status())) {
                        return response;
                    }
                    lastRetryableResponse = response;
                    lastIoError = null;
                    LOG.warn("Schema Registry at {} answered HTTP {} to {}", baseUrl, response.status(), what);
                } catch (IOException e) {
                    listener.registryCall(SchemaRegistryException.NO_HTTP_STATUS, System.nanoTime() - start);
                    lastIoError = e;
                    lastIoErrorUrl = baseUrl;
                    LOG.warn("Schema Registry at {} not reachable for {}: {}", baseUrl, what, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted during Schema Registry request " + what);
                }
            }
            if (notFound != null) {
                return notFound;
            }
            if (attempt >= maxRetries) {
                break;
            }
            long waitMs = backoffMillis(attempt);
            LOG.info(
                    "Retrying Schema Registry request {} in {} ms (retry {} of {})",
                    what,
                    waitMs,
                    attempt + 1,
                    maxRetries);
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while waiting to retry Schema Registry request " + what);
            }
        }
        int attempts = maxRetries + 1;
        if (lastIoError != null) {
            throw new SchemaRegistryException(
                    "Schema Registry not reachable at " + (baseUrls.size() == 1 ? lastIoErrorUrl : baseUrls) + " for "
                            + what + " after " + attempts + " attempt(s): " + lastIoError + ". " + budgetSpent(),
                    SchemaRegistryException.NO_HTTP_STATUS,
                    lastIoError);
        }
        throw new SchemaRegistryException(
                "Schema Registry at " + lastRetryableResponse.url() + " answered HTTP " + lastRetryableResponse.status()
                        + " to " + what + " after " + attempts + " attempt(s): "
                        + lastRetryableResponse.registryMessage() + ". " + budgetSpent(),
                lastRetryableResponse.status());
    }

    private String budgetSpent() {
        return "The retry budget (" + MAX_RETRIES + "=" + maxRetries + ", " + RETRIES_WAIT_MS + "=" + retriesWaitMs
                + ", " + RETRIES_MAX_WAIT_MS + "=" + retriesMaxWaitMs
                + ") is spent: failing, so the job's restart strategy decides whether to try again";
    }

    private HttpRequest request(URI baseUrl, String method, String path, @Nullable String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(readTimeout)
                .header("Accept", ACCEPT);
        if (authorizationHeader != null) {
            builder.header("Authorization", authorizationHeader);
        }
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    private long backoffMillis(int attempt) {
        long exponential = retriesWaitMs << Math.min(attempt, 20);
        return Math.min(exponential, retriesMaxWaitMs);
    }

    private static boolean isRetryable(int status) {
        return status == 429 || status >= 500;
    }

    private SchemaRegistryException failure(Response response, String what) {
        int status = response.status();
        if (status == 401 || status == 403) {
            String hint = authorizationHeader == null
                    ? "no credentials are configured: set " + SchemaRegistrySettings.CREDENTIALS_SOURCE
                            + "=USER_INFO and " + SchemaRegistrySettings.USER_INFO + "=KEY:SECRET"
                    : "check " + SchemaRegistrySettings.USER_INFO + " (or the credentials in the URL)";
            return new SchemaRegistryException(
                    "Schema Registry credentials rejected by " + response.url() + " (HTTP " + status + ") while " + what
                            + ": " + hint,
                    status);
        }
        return new SchemaRegistryException(
                "Schema Registry at " + response.url() + " answered HTTP " + status + " while " + what + ": "
                        + response.registryMessage(),
                status);
    }

    private static String schemaBody(Schema schema) {
        try {
            return JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode a schema as JSON", e);
        }
    }

    private static int requiredInt(Response response, String field) throws SchemaRegistryException {
        JsonNode value = response.json().get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered without a numeric '" + field + "': "
                            + response.quotedBody(),
                    response.status());
        }
        return value.intValue();
    }

    private static Schema parseAvroSchema(Response response, String what) throws SchemaRegistryException {
        JsonNode json = response.json();
        JsonNode type = json.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new UnusableSchemaException(
                    UnusableSchemaException.Problem.UNSUPPORTED_SCHEMA_TYPE,
                    what + " at " + response.url() + " is a " + type.asText()
                            + " schema; this job reads Avro only: have the producer use an Avro serializer",
                    response.status(),
                    null);
        }
        JsonNode references = json.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new UnusableSchemaException(
                    UnusableSchemaException.Problem.SCHEMA_REFERENCES,
                    what + " at " + response.url() + " references other schemas (" + abbreviate(references.toString())
                            + "), which this client does not resolve: register the schema self-contained (named"
                            + " types defined inline)",
                    response.status(),
                    null);
        }
        JsonNode text = json.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException(
                    "Schema Registry at " + response.url() + " answered without a 'schema' for " + what + ": "
                            + response.quotedBody(),
                    response.status());
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            // SchemaParseException, AvroTypeException (an invalid default), ...: untrusted text, any failure is a
            // verdict.
            throw new UnusableSchemaException(
                    UnusableSchemaException.Problem.INVALID_SCHEMA,
                    what + " at " + response.url() + " is not a valid Avro schema: " + e.getMessage()
                            + ": fix the schema and register it again (the producer then writes the new id)",
                    response.status(),
                    e);
        }
    }

    private static String pathSegment(String subject) {
        checkArgument(subject != null && !subject.isEmpty(), "subject must not be empty");
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI parseUrl(String url, int position) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // The URL may embed credentials: say which entry is wrong, never what it contains.
            throw new IllegalArgumentException(
                    "Entry " + position + " of '" + SchemaRegistrySettings.URL + "' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        checkArgument(
                (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null,
                "Entry %s of '%s' must be an http(s) URL with a host",
                position,
                SchemaRegistrySettings.URL);
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
    private static String basicAuthHeader(SchemaRegistrySettings settings, @Nullable String urlUserInfo) {
        String userInfo = settings.get(SchemaRegistrySettings.USER_INFO)
                .filter(s -> !s.isBlank())
                .orElse(null);
        String source = settings.get(SchemaRegistrySettings.CREDENTIALS_SOURCE)
                .map(s -> s.trim().toUpperCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .orElse(userInfo != null ? "USER_INFO" : "URL");
        String credentials;
        switch (source) {
            case "USER_INFO" -> {
                checkArgument(
                        userInfo != null,
                        "'%s=USER_INFO' requires '%s' (KEY:SECRET)",
                        SchemaRegistrySettings.CREDENTIALS_SOURCE,
                        SchemaRegistrySettings.USER_INFO);
                credentials = userInfo;
            }
            case "URL" -> credentials = urlUserInfo;
            default ->
                throw new IllegalArgumentException("Unsupported '" + SchemaRegistrySettings.CREDENTIALS_SOURCE + "': "
                        + source + " (supported: USER_INFO, URL)");
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

    private static long positiveLong(SchemaRegistrySettings settings, String key, long defaultValue) {
        long value = longSetting(settings, key, defaultValue);
        checkArgument(value > 0, "'%s' must be positive, got %s", key, value);
        return value;
    }

    private static long nonNegativeLong(SchemaRegistrySettings settings, String key, long defaultValue) {
        long value = longSetting(settings, key, defaultValue);
        checkArgument(value >= 0, "'%s' must not be negative, got %s", key, value);
        return value;
    }

    private static long longSetting(SchemaRegistrySettings settings, String key, long defaultValue) {
        String value = settings.get(key).map(String::trim).orElse("");
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got '" + value + "'");
        }
    }

    private static boolean bool(SchemaRegistrySettings settings, String key, boolean defaultValue) {
        String value =
                settings.get(key).map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
        return switch (value) {
            case "" -> defaultValue;
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + key + "' must be true or false, got '" + value + "'");
        };
    }

    /** The client settings, parsed and checked. */
    private record Config(
            List<URI> baseUrls,
            @Nullable String authorizationHeader,
            Duration connectTimeout,
            Duration readTimeout,
            int maxRetries,
            long retriesWaitMs,
            long retriesMaxWaitMs,
            boolean autoRegisterSchemas,
            boolean useLatestVersion,
            Duration missingIdCacheTtl,
            int missingCacheSize) {

        static Config parse(SchemaRegistrySettings settings) {
            List<String> rawUrls = settings.urls();
            checkArgument(!rawUrls.isEmpty(), "'%s' names no URL", SchemaRegistrySettings.URL);
            List<URI> urls = new ArrayList<>();
            String urlUserInfo = null;
            for (int i = 0; i < rawUrls.size(); i++) {
                URI uri = parseUrl(rawUrls.get(i), i + 1);
                if (urlUserInfo == null && uri.getUserInfo() != null) {
                    urlUserInfo = uri.getUserInfo();
                }
                urls.add(withoutUserInfo(uri));
            }
            boolean autoRegisterSchemas = bool(settings, AUTO_REGISTER_SCHEMAS, true);
            boolean useLatestVersion = bool(settings, USE_LATEST_VERSION, false);
            // As in Confluent's serializers, use.latest.version only applies without auto-registration;
            // failing here beats silently registering schemas against a Terraform-managed registry.
            checkArgument(
                    !(useLatestVersion && autoRegisterSchemas),
                    "'%s=true' requires '%s=false': a job that writes with the latest registered schema must"
                            + " not register schemas itself",
                    USE_LATEST_VERSION,
                    AUTO_REGISTER_SCHEMAS);
            return new Config(
                    List.copyOf(urls),
                    basicAuthHeader(settings, urlUserInfo),
                    Duration.ofMillis(positiveLong(settings, CONNECT_TIMEOUT_MS, 10_000)),
                    Duration.ofMillis(positiveLong(settings, READ_TIMEOUT_MS, 30_000)),
                    (int) nonNegativeLong(settings, MAX_RETRIES, 3),
                    nonNegativeLong(settings, RETRIES_WAIT_MS, 1_000),
                    nonNegativeLong(settings, RETRIES_MAX_WAIT_MS, 20_000),
                    autoRegisterSchemas,
                    useLatestVersion,
                    Duration.ofSeconds(nonNegativeLong(settings, MISSING_ID_CACHE_TTL_SEC, 60)),
                    (int) Math.min(Integer.MAX_VALUE, positiveLong(settings, MISSING_CACHE_SIZE, 10_000)));
        }

        @Override
        public String toString() {
            return "Config" + baseUrls;
        }
    }

    /** Cache key; Avro caches a schema's hash code, so lookups do not re-hash the schema. */
    private record SubjectAndSchema(String subject, Schema schema) {}

    private record SubjectVersion(String subject, int version) {}

    private record Response(URI url, int status, String body) {

        JsonNode json() throws SchemaRegistryException {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException(
                        "Schema Registry at " + url + " answered HTTP " + status + " with a body that is not JSON: "
                                + quotedBody(),
                        status);
            }
        }

        /** The registry's {@code message}, or the start of the body if it is not a registry error. */
        String registryMessage() {
            try {
                JsonNode message = JSON.readTree(body).get("message");
                if (message != null && message.isTextual()) {
                    return abbreviate(message.asText());
                }
            } catch (JsonProcessingException e) {
                // Not JSON (a proxy's HTML page, say): quote the body itself.
            }
            return quotedBody();
        }

        String quotedBody() {
            return body == null || body.isBlank() ? "(empty body)" : abbreviate(body.strip());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_QUOTED_BODY_CHARS ? text : text.substring(0, MAX_QUOTED_BODY_CHARS) + "...";
    }

    /** Failed id lookups with an expiry; at most {@code capacity}, the oldest dropped first. */
    private static final class FailedIds {

        private record Entry(SchemaRegistryException failure, long expiresAtNanos) {}

        private final Map<Integer, Entry> entries;

        FailedIds(int capacity) {
            this.entries = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Entry> eldest) {
                    return size() > capacity;
                }
            };
        }

        @Nullable
        synchronized SchemaRegistryException get(int id, long nowNanos) {
            Entry entry = entries.get(id);
            if (entry == null) {
                return null;
            }
            if (nowNanos - entry.expiresAtNanos() >= 0 && entry.expiresAtNanos() != Long.MAX_VALUE) {
                entries.remove(id);
                return null;
            }
            return entry.failure();
        }

        synchronized void put(int id, SchemaRegistryException failure, long expiresAtNanos) {
            entries.put(id, new Entry(failure, expiresAtNanos));
        }
    }
}
