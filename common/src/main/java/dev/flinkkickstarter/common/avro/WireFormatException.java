package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.IOException;
import javax.annotation.Nullable;

/**
 * A Kafka record value that is not a readable Confluent-wire-format Avro record. {@link #reason()}
 * says why in a form fit for a dead-letter header; the message names the topic and shows the first
 * bytes of the value in hex.
 */
public class WireFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a value could not be decoded. */
    public enum Reason {
        /** The value has no bytes at all. */
        EMPTY,
        /** The record has no value (a tombstone). */
        NULL_VALUE,
        /** The first byte is not the Confluent magic byte 0x00: not Confluent wire format. */
        WRONG_MAGIC_BYTE,
        /** The value ends inside the 5-byte header (magic byte + 4-byte schema id). */
        TRUNCATED_HEADER,
        /** No registry URL knows the schema id in the header (remembered for {@code missing.id.cache.ttl.sec}). */
        UNKNOWN_SCHEMA_ID,
        /** The schema id names a PROTOBUF, JSON or other non-Avro schema. */
        UNSUPPORTED_SCHEMA_TYPE,
        /** The schema id's schema references other registered schemas, which are not resolved. */
        SCHEMA_REFERENCES,
        /**
         * The schema id's schema cannot be used: Avro does not parse it (e.g. an invalid default), it is
         * not a record, it is recursive or nested deeper than the decoder allows.
         */
        INVALID_SCHEMA,
        /** The writer schema (from the id) cannot be resolved to the reader schema: an incompatible change. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body ends before the record does. */
        TRUNCATED_BODY,
        /**
         * The Avro body does not decode with the writer schema, declares a string, bytes, array or map
         * longer than the whole value, or has bytes left over.
         */
        MALFORMED_BODY
    }

    private final Reason reason;
    private final String topic;

    public WireFormatException(Reason reason, String topic, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = checkNotNull(reason, "reason");
        this.topic = checkNotNull(topic, "topic");
    }

    public Reason reason() {
        return reason;
    }

    public String topic() {
        return topic;
    }
}
