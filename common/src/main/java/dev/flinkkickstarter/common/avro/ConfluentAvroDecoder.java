package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Confluent-wire-format values into {@link GenericRecord}s of a given reader schema, telling
 * bad records apart from infrastructure failures: every way a value can be unreadable is a {@link
 * WireFormatException} with a {@link Reason} (route the record to a dead-letter topic), while an
 * unreachable registry or rejected credentials is a {@link SchemaRegistryException} (fail the job).
 *
 * <p>For use where a {@code DeserializationSchema} cannot route failures, e.g. in a {@code
 * KafkaRecordDeserializationSchema} or a {@code ProcessFunction}. Serializable; the registry client
 * is created on the first {@link #decode} on the task. The writer schema comes from the id in the
 * header (cached per id) and is resolved to the reader schema by Avro's schema resolution, so records
 * written with older or newer compatible schemas decode to the reader schema. Strings decode to
 * {@link org.apache.avro.util.Utf8}, Avro's generic representation, even where the schema carries a
 * code generator's {@code "avro.java.string": "String"} hint. Thread-safe.
 */
public final class ConfluentAvroDecoder implements Serializable, Closeable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfluentSchemaCoder coder;
    /** Schema text rather than {@link Schema}: Java serialization of Avro schemas varies across Avro versions. */
    private final String readerSchemaJson;

    @Nullable
    private transient volatile Readers readers;

    private ConfluentAvroDecoder(Schema readerSchema, String topic, SchemaRegistrySettings settings) {
        this.coder = new ConfluentSchemaCoder(topic, settings);
        this.readerSchemaJson = withoutJavaStringHints(checkNotNull(readerSchema, "readerSchema"));
    }

    /**
     * {@code schema}'s JSON without {@code avro.java.string} hints on strings and map keys. With the hint,
     * Avro decodes each string's UTF-8 bytes into a {@code String}, which the next step (e.g. an Iceberg
     * row) encodes right back to UTF-8; as {@code Utf8} the bytes go on as they are.
     */
    private static String withoutJavaStringHints(Schema schema) {
        try {
            JsonNode json = JSON.readTree(schema.toString());
            removeJavaStringHints(json);
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro wrote a schema that is not JSON: " + schema, e);
        }
    }

    private static void removeJavaStringHints(JsonNode node) {
        if (node instanceof ObjectNode object) {
            String type = object.path("type").asText();
            if (type.equals("string") || type.equals("map")) {
                object.remove(GenericData.STRING_PROP);
            }
        }
        node.forEach(ConfluentAvroDecoder::removeJavaStringHints);
    }

    /** A decoder for values of {@code topic}, producing records of {@code readerSchema}. */
    public static ConfluentAvroDecoder create(Schema readerSchema, String topic, SchemaRegistrySettings settings) {
        return new ConfluentAvroDecoder(readerSchema, topic, settings);
    }

    public String topic() {
        return coder.topic();
    }

    /**
     * Decodes one record value.
     *
     * @throws WireFormatException the value is not a readable Confluent Avro record; {@link
     *     WireFormatException#reason()} says why
     * @throws IOException the registry could not answer (e.g. a {@link SchemaRegistryException})
     */
    public GenericRecord decode(@Nullable byte[] value) throws IOException {
        if (value == null) {
            throw new WireFormatException(
                    Reason.NULL_VALUE, topic(), "Record in topic '" + topic() + "' has no value (null)", null);
        }
        int schemaId = coder.readSchemaId(new ByteArrayInputStream(value));
        WriterReader reader = readers().forSchemaId(schemaId);
        BinaryDecoder body = DecoderFactory.get()
                .binaryDecoder(
                        value,
                        ConfluentWireFormat.HEADER_LENGTH,
                        value.length - ConfluentWireFormat.HEADER_LENGTH,
                        null);
        GenericRecord record;
        try {
            record = reader.datumReader().read(null, body);
        } catch (EOFException e) {
            throw bodyError(Reason.TRUNCATED_BODY, value, schemaId, "ends before the record does", e);
        } catch (IOException | RuntimeException e) {
            // Untrusted bytes can fail Avro in many ways (negative lengths, bad union index, bad UTF-8...):
            // each one means the body is not a record of the writer schema.
            throw bodyError(Reason.MALFORMED_BODY, value, schemaId, "does not decode: " + e, e);
        }
        if (!body.isEnd()) {
            throw bodyError(Reason.MALFORMED_BODY, value, schemaId, "has bytes left over after the record", null);
        }
        return record;
    }

    private WireFormatException bodyError(
            Reason reason, byte[] value, int schemaId, String problem, @Nullable Throwable cause) {
        return new WireFormatException(
                reason,
                topic(),
                "Avro body of a " + value.length + "-byte value in topic '" + topic() + "' (schema id " + schemaId
                        + ") " + problem + " (first bytes: " + ConfluentWireFormat.hex(value, value.length) + ")",
                cause);
    }

    private Readers readers() {
        Readers current = readers;
        if (current == null) {
            synchronized (this) {
                current = readers;
                if (current == null) {
                    current = new Readers(new Schema.Parser().parse(readerSchemaJson));
                    readers = current;
                }
            }
        }
        return current;
    }

    /**
     * Closes the registry client and drops the datum readers; a later {@link #decode} starts afresh.
     * Call it from the {@code close()} of the operator that decodes.
     */
    @Override
    public void close() {
        readers = null;
        coder.close();
    }

    @Override
    public String toString() {
        return "ConfluentAvroDecoder{" + coder + "}";
    }

    /** How values of one writer schema id are read: a datum reader, or why they cannot be. */
    private record WriterReader(
            @Nullable GenericDatumReader<GenericRecord> datumReader,
            @Nullable String incompatibility) {}

    /** One datum reader per writer schema id: resolving writer to reader schema is done once per id. */
    private final class Readers {

        private final Schema readerSchema;
        private final Map<Integer, WriterReader> bySchemaId = new ConcurrentHashMap<>();

        Readers(Schema readerSchema) {
            this.readerSchema = readerSchema;
        }

        WriterReader forSchemaId(int schemaId) throws IOException {
            WriterReader reader = bySchemaId.get(schemaId);
            if (reader == null) {
                reader = newReader(schemaId);
                // Ids are immutable in a registry and the reader schema is fixed: the verdict holds for good.
                bySchemaId.put(schemaId, reader);
            }
            if (reader.incompatibility() != null) {
                throw new WireFormatException(Reason.INCOMPATIBLE_SCHEMA, topic(), reader.incompatibility(), null);
            }
            return reader;
        }

        private WriterReader newReader(int schemaId) throws IOException {
            Schema writerSchema = coder.schemaForId(schemaId);
            SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return new WriterReader(
                        null,
                        "Value in topic '" + topic() + "' was written with schema id " + schemaId + " ("
                                + writerSchema.getFullName() + "), which cannot be read as "
                                + readerSchema.getFullName() + ": " + compatibility.getDescription());
            }
            return new WriterReader(new GenericDatumReader<>(writerSchema, readerSchema), null);
        }
    }
}
