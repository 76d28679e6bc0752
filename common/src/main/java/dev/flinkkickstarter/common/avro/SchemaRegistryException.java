package dev.flinkkickstarter.common.avro;

import java.io.IOException;

/**
 * A Schema Registry request that failed in a way the user has to act on: rejected credentials, an
 * unknown schema id or subject, an incompatible schema, or a registry that stayed unreachable after
 * the retries. The message names the registry URL (without credentials) and what to do.
 */
public class SchemaRegistryException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Marks failures that never reached an HTTP response (connect errors, timeouts). */
    public static final int NO_HTTP_STATUS = -1;

    private final int httpStatus;

    public SchemaRegistryException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public SchemaRegistryException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status of the registry answer this failure is about, or {@link #NO_HTTP_STATUS} if none arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** True for 404: the schema id, subject or schema the request named does not exist. */
    public boolean isNotFound() {
        return httpStatus == 404;
    }
}
