package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * The registry answered, but with a schema this client cannot use as Avro: another schema type,
 * references to other schemas, or text Avro does not parse. Ids are immutable in a registry, so the
 * verdict for an id holds for good.
 */
public final class UnusableSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    /** Why the schema cannot be used. */
    public enum Problem {
        /** {@code schemaType} is PROTOBUF, JSON or anything but AVRO. */
        UNSUPPORTED_SCHEMA_TYPE,
        /** The schema names other registered schemas ({@code references}), which this client does not resolve. */
        SCHEMA_REFERENCES,
        /** The text is not a valid Avro schema (syntax, an invalid default, ...). */
        INVALID_SCHEMA
    }

    private final Problem problem;

    public UnusableSchemaException(Problem problem, String message, int httpStatus, Throwable cause) {
        super(message, httpStatus, cause);
        this.problem = checkNotNull(problem, "problem");
    }

    public Problem problem() {
        return problem;
    }
}
