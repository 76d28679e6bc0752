package dev.flinkkickstarter.common.avro;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.apache.avro.Schema;

/**
 * What a {@link SchemaRegistryClient} remembers, and for how long. Each fact has one map:
 *
 * <ul>
 *   <li>id → parsed schema, for good (ids are immutable); every answer naming an id shares its one
 *       {@link Schema} instance, so callers can key their own per-schema work by identity;
 *   <li>(subject, schema) → registered id, and → looked-up {@link RegisteredSchema}, for good;
 *   <li>subject → latest version, for the life of the client (a writer keeps the id it started with);
 *   <li>(subject, version) → {@link RegisteredSchema}, for good (a registered version never changes);
 *   <li>id → why it failed: unknown ids for {@link SchemaRegistrySettings.UnknownIdCache#ttl()}, unusable ones
 *       for good; at most {@link SchemaRegistrySettings.UnknownIdCache#maxSize()} of them, the oldest dropped first.
 * </ul>
 *
 * <p>The maps grow with the number of distinct schemas, never with the number of records.
 */
final class SchemaRegistryCache {

    /** A registry request, made only when the answer is not remembered. */
    @FunctionalInterface
    interface Fetch<T> {
        T fetch() throws IOException;
    }

    /** Cache key; Avro caches a schema's hash code, so lookups do not re-hash the schema. */
    private record SubjectAndSchema(String subject, Schema schema) {}

    private record SubjectVersion(String subject, int version) {}

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectAndSchema, Integer> registeredIds = new ConcurrentHashMap<>();
    private final Map<SubjectAndSchema, RegisteredSchema> lookedUp = new ConcurrentHashMap<>();
    private final Map<String, RegisteredSchema> latestBySubject = new ConcurrentHashMap<>();
    private final Map<SubjectVersion, RegisteredSchema> byVersion = new ConcurrentHashMap<>();
    private final FailedIds failedIds;
    private final long missingIdTtlNanos;

    SchemaRegistryCache(SchemaRegistrySettings settings) {
        this.missingIdTtlNanos = settings.unknownIdCache().ttl().toNanos();
        this.failedIds = new FailedIds(settings.unknownIdCache().maxSize());
    }

    /** The schema remembered for {@code id}; null if none. */
    @Nullable
    Schema knownSchema(int id) {
        return schemasById.get(id);
    }

    /**
     * The schema with {@code id}, fetched on first use. A failure is remembered by {@link #rememberFailure}'s
     * rules; {@code onRememberedUnknown} hears each time a remembered unknown id is answered without a request.
     */
    Schema schema(int id, Fetch<Schema> fetch, Runnable onRememberedUnknown) throws IOException {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        SchemaRegistryException failed = failedIds.get(id, System.nanoTime());
        if (failed != null) {
            if (failed.isNotFound()) {
                onRememberedUnknown.run();
            }
            throw failed;
        }
        try {
            return canonical(id, fetch.fetch());
        } catch (SchemaRegistryException e) {
            rememberFailure(id, e);
            throw e;
        }
    }

    /** The id {@code schema} was registered with under {@code subject}, registering it on first use. */
    int registeredId(String subject, Schema schema, Fetch<Integer> register) throws IOException {
        return remembered(registeredIds, new SubjectAndSchema(subject, schema), register, id -> {
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    /** {@code schema} as registered under {@code subject}, looked up on first use. */
    RegisteredSchema lookedUp(String subject, Schema schema, Fetch<RegisteredSchema> lookup) throws IOException {
        return remembered(lookedUp, new SubjectAndSchema(subject, schema), lookup, found -> {
            schemasById.putIfAbsent(found.id(), schema);
            return found;
        });
    }

    /** The latest version of {@code subject}, fetched on first use. */
    RegisteredSchema latest(String subject, Fetch<RegisteredSchema> fetch) throws IOException {
        return remembered(latestBySubject, subject, fetch, this::withCanonicalSchema);
    }

    /** Version {@code version} of {@code subject}, fetched on first use. */
    RegisteredSchema version(String subject, int version, Fetch<RegisteredSchema> fetch) throws IOException {
        return remembered(byVersion, new SubjectVersion(subject, version), fetch, this::withCanonicalSchema);
    }

    /** Forgets every answer except the failed ids (which expire by themselves). */
    void clear() {
        registeredIds.clear();
        lookedUp.clear();
        schemasById.clear();
        latestBySubject.clear();
        byVersion.clear();
    }

    /**
     * An unusable schema is remembered for good (ids are immutable); an unknown id for {@link
     * SchemaRegistrySettings.UnknownIdCache#ttl()} (it may be registered soon), not at all if that is zero;
     * anything else (an unreachable registry, rejected credentials) is not remembered.
     */
    private void rememberFailure(int id, SchemaRegistryException failure) {
        if (failure instanceof UnusableSchemaException) {
            failedIds.put(id, failure, Long.MAX_VALUE);
        } else if (failure.isNotFound() && missingIdTtlNanos > 0) {
            failedIds.put(id, failure, System.nanoTime() + missingIdTtlNanos);
        }
    }

    /** {@code map}'s answer for {@code key}; on a miss, {@code fetch}'s, passed through {@code onFetched}. */
    private static <K, V> V remembered(Map<K, V> map, K key, Fetch<V> fetch, UnaryOperator<V> onFetched)
            throws IOException {
        V cached = map.get(key);
        if (cached != null) {
            return cached;
        }
        V fetched = onFetched.apply(fetch.fetch());
        map.put(key, fetched);
        return fetched;
    }

    private Schema canonical(int id, Schema schema) {
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    private RegisteredSchema withCanonicalSchema(RegisteredSchema fetched) {
        Schema schema = canonical(fetched.id(), fetched.schema());
        return schema == fetched.schema()
                ? fetched
                : new RegisteredSchema(fetched.subject(), fetched.id(), fetched.version(), schema);
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
