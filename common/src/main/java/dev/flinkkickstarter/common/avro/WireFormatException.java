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
        /** The registry does not know the schema id in the header. */
        UNKNOWN_SCHEMA_ID,
        /** The writer schema (from the id) cannot be resolved to the reader schema: an incompatible change. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body ends before the record does. */
        TRUNCATED_BODY,
        /** The Avro body does not decode with the writer schema, or has bytes left over. */
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
