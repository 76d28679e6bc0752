package dev.flinkkickstarter.common.avro;

/**
 * Told about a {@link SchemaRegistryClient}'s traffic, e.g. to count it in metrics ({@link
 * DecodeMetrics}). Called on the thread that made the request; implementations must be cheap.
 */
public interface SchemaRegistryListener {

    /** Does nothing. */
    SchemaRegistryListener NONE = new SchemaRegistryListener() {};

    /**
     * One HTTP exchange with the registry finished (every retry and every URL counts once).
     *
     * @param httpStatus the answer's status, or {@link SchemaRegistryException#NO_HTTP_STATUS} if none
     *     arrived
     */
    default void registryCall(int httpStatus, long durationNanos) {}

    /** A schema id was answered from the cache of ids the registry did not know, without a request. */
    default void unknownSchemaIdCacheHit(int schemaId) {}
}
