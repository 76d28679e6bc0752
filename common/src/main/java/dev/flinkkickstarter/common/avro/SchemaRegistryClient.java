package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.apache.avro.Schema;

/**
 * A small Confluent Schema Registry client on the JDK's {@code java.net.http}, for the calls the Confluent wire
 * format needs: register, lookup, get by id, and the versions of a subject.
 *
 * <p>It puts together three package-private parts: {@link SchemaRegistryRestApi} (the endpoints and their
 * answers), {@link SchemaRegistryTransport} (HTTP with retries and URL failover) and {@link SchemaRegistryCache}
 * (what is remembered, and for how long), so a stream of records costs one HTTP round trip per distinct
 * (subject, schema) and per schema id, never one per record. Its settings, keys and defaults are in {@link
 * SchemaRegistrySettings}; this class adds the policy for the id a serializer writes ({@link #writerSchemaId}).
 *
 * <p>A schema id whose answer is not a usable Avro schema (another schema type, references, text Avro cannot
 * parse) is an {@link UnusableSchemaException}, remembered for good: ids are immutable. Only a registry that
 * stays unreachable or overloaded (connect errors, timeouts, 429, 5xx) through the retry budget is a plain
 * {@link SchemaRegistryException} that should fail the job. Credentials never appear in a message, log line or
 * {@code toString}.
 */
public final class SchemaRegistryClient implements Closeable {

    private final SchemaRegistrySettings settings;
    private final SchemaRegistryTransport transport;
    private final SchemaRegistryRestApi api;
    private final SchemaRegistryCache cache;
    private volatile SchemaRegistryListener listener = SchemaRegistryListener.NONE;

    private SchemaRegistryClient(SchemaRegistrySettings settings) {
        this.settings = settings;
        this.transport = new SchemaRegistryTransport(settings);
        this.api = new SchemaRegistryRestApi(transport);
        this.cache = new SchemaRegistryCache(settings);
    }

    /** A client for these settings; it opens no connection until the first request. */
    public static SchemaRegistryClient create(SchemaRegistrySettings settings) {
        return new SchemaRegistryClient(checkNotNull(settings, "settings"));
    }

    /** Reports this client's requests and cache hits to {@code listener} from now on. */
    public void setListener(SchemaRegistryListener listener) {
        this.listener = checkNotNull(listener, "listener");
        transport.setListener(listener);
    }

    /** The registry base URLs, without credentials: safe to print. */
    public List<URI> urls() {
        return settings.urls();
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
        return switch (settings.writerSchemaIdPolicy()) {
            case REGISTER -> register(subject, schema);
            case LATEST_VERSION -> latestVersionId(subject, schema);
            case LOOKUP -> lookedUpId(subject, schema);
        };
    }

    private int latestVersionId(String subject, Schema schema) throws IOException {
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
                            + ") of subject '" + subject + "' at " + settings.urls()
                            + " is not the schema this job writes with (" + schema.getFullName()
                            + "): register the job's schema as the subject's latest version, or run a"
                            + " job built from the latest schema.",
                    200);
        }
        return latest.id();
    }

    private int lookedUpId(String subject, Schema schema) throws IOException {
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
        return cache.registeredId(subject, schema, () -> api.register(subject, schema));
    }

    /** Finds {@code schema} among the versions of {@code subject} ({@code POST /subjects/{subject}}). */
    public RegisteredSchema lookup(String subject, Schema schema) throws IOException {
        return cache.lookedUp(subject, schema, () -> api.lookup(subject, schema));
    }

    /**
     * The schema with this global id ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} if every URL
     *     that answered does not know the id (remembered for {@code missing.id.cache.ttl.sec})
     * @throws UnusableSchemaException if the id's schema is not a usable Avro schema (remembered)
     */
    public Schema getById(int id) throws IOException {
        return cache.schema(id, () -> api.schemaById(id), () -> listener.unknownSchemaIdCacheHit(id));
    }

    /** The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}). */
    public RegisteredSchema latest(String subject) throws IOException {
        return cache.latest(subject, () -> api.latest(subject, cache::knownSchema));
    }

    /**
     * The version numbers of {@code subject} ({@code GET /subjects/{subject}/versions}), ascending; empty if the
     * subject does not exist. Not cached: producers register new versions at any time.
     */
    public List<Integer> versions(String subject) throws IOException {
        return api.versions(subject);
    }

    /**
     * Version {@code version} of {@code subject} ({@code GET /subjects/{subject}/versions/{version}}). Cached: a
     * registered version never changes.
     */
    public RegisteredSchema version(String subject, int version) throws IOException {
        return cache.version(subject, version, () -> api.version(subject, version, cache::knownSchema));
    }

    /**
     * Stops the HTTP client's worker threads and drops the caches; later requests fail. The JDK closes
     * the client's connections and its selector thread once the client is unreachable, so whoever holds
     * this client must drop its reference too (as the coder and decoder do when closed).
     */
    @Override
    public void close() {
        transport.close();
        cache.clear();
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient" + settings.urls();
    }
}
