package dev.flinkkickstarter.common.avro;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.avro.Schema;

/**
 * Confluent's wire format: magic byte 0x00, the schema id as 4-byte big-endian int, then the Avro
 * binary body. The one place that reads and writes the header and turns a header's schema id into its
 * writer schema (through the registry client's id → schema cache): {@link ConfluentSchemaCoder} and
 * {@link ConfluentAvroDecoder} each read values through it, neither through the other.
 */
final class ConfluentWireFormat {

    static final byte MAGIC_BYTE = 0x00;
    static final int HEADER_LENGTH = 5;
    /** Enough to recognise JSON, a string or another format in an error message, short enough for a log line. */
    static final int PREVIEW_BYTES = 16;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ConfluentWireFormat() {}

    static void writeHeader(int schemaId, OutputStream out) throws IOException {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /**
     * Reads the header from a stream positioned at the start of a value and returns its schema id,
     * leaving the stream at the Avro body.
     */
    static int readSchemaId(InputStream in, String topic) throws IOException {
        // Marking a ByteArrayInputStream (what Flink and the decoder pass) is free; it lets an error
        // message show the value's first bytes.
        in.mark(PREVIEW_BYTES);
        int magic = in.read();
        if (magic == -1) {
            throw new WireFormatException(
                    Reason.EMPTY,
                    topic,
                    "Empty value in topic '" + topic + "': expected Confluent wire format (magic byte 0x00, 4-byte"
                            + " schema id, Avro body)",
                    null);
        }
        if (magic != MAGIC_BYTE) {
            throw new WireFormatException(
                    Reason.WRONG_MAGIC_BYTE,
                    topic,
                    "Value in topic '" + topic + "' does not start with the Confluent magic byte 0x00 (first bytes: "
                            + preview(in, magic) + "): it was not written by a Schema Registry Avro serializer",
                    null);
        }
        int schemaId = 0;
        for (int i = 1; i < HEADER_LENGTH; i++) {
            int b = in.read();
            if (b == -1) {
                throw new WireFormatException(
                        Reason.TRUNCATED_HEADER,
                        topic,
                        "Value in topic '" + topic + "' ends inside the 5-byte Confluent header after " + i
                                + " byte(s) (bytes: " + preview(in, magic) + ")",
                        null);
            }
            schemaId = (schemaId << 8) | b;
        }
        return schemaId;
    }

    /**
     * The registry's schema for an id read from a header; an id the registry does not know, or whose
     * schema is not usable Avro, is bad data.
     */
    static Schema writerSchema(SchemaRegistryClient client, int schemaId, String topic) throws IOException {
        try {
            return client.getById(schemaId);
        } catch (UnusableSchemaException e) {
            throw new WireFormatException(
                    Reason.valueOf(e.problem().name()),
                    topic,
                    "Value in topic '" + topic + "' names schema id " + schemaId + ", which is unusable: "
                            + e.getMessage(),
                    e);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new WireFormatException(
                        Reason.UNKNOWN_SCHEMA_ID,
                        topic,
                        "Value in topic '" + topic + "' names schema id " + schemaId
                                + ", which the Schema Registry does not know: " + e.getMessage(),
                        e);
            }
            throw e;
        }
    }

    /** Up to {@link #PREVIEW_BYTES} bytes of {@code value} in hex, "..." marking a longer value. */
    static String hex(byte[] value, int length) {
        int shown = Math.min(length, PREVIEW_BYTES);
        StringBuilder hex = new StringBuilder(shown * 3 + 3);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(HEX[(value[i] >> 4) & 0xf]).append(HEX[value[i] & 0xf]);
        }
        return length > shown ? hex.append(" ...").toString() : hex.toString();
    }

    /** The value's first bytes, re-read from the mark; only the first byte if the stream cannot reset. */
    private static String preview(InputStream in, int firstByte) throws IOException {
        if (!in.markSupported()) {
            return hex(new byte[] {(byte) firstByte}, 1) + " ...";
        }
        in.reset();
        byte[] bytes = new byte[PREVIEW_BYTES + 1];
        int length = in.readNBytes(bytes, 0, bytes.length);
        return hex(bytes, length);
    }
}
