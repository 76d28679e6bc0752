package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkkickstarter.common.avro.BoundedBinaryDecoder.DeclaredLengthException;
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

/**
 * Decodes Confluent-wire-format values into {@link GenericRecord}s, telling bad records apart from
 * infrastructure failures: every way a value or its schema id can be unusable is a {@link
 * WireFormatException} with a {@link Reason} (route the record to a dead-letter topic), while an
 * unreachable registry or rejected credentials is a {@link SchemaRegistryException} (fail the job).
 *
 * <p>Two modes: {@link #create} resolves each value's writer schema (from the id in the header,
 * cached per id) to a fixed reader schema with Avro's schema resolution, so records written with
 * older or newer compatible schemas decode to the reader schema; {@link #forWriterSchemas} decodes
 * each value with its own writer schema, and {@link #decodeWithSchemaId} tells which one it was.
 *
 * <p>Decoding is bounded by the value itself: a string, bytes, array or map that declares more than
 * the bytes left is refused before anything is allocated for it ({@link Reason#MALFORMED_BODY} if
 * more than the whole value holds, else {@link Reason#TRUNCATED_BODY}), and writer
 * schemas that are recursive or nested deeper than {@value WriterSchemaLimits#MAX_NESTING_DEPTH}
 * levels are {@link Reason#INVALID_SCHEMA}, so neither heap nor stack depend on what a record claims.
 *
 * <p>For use where a {@code DeserializationSchema} cannot route failures, e.g. in a {@code
 * KafkaRecordDeserializationSchema} or a {@code ProcessFunction}. Serializable; the registry client
 * is created on the first {@link #decode} on the task. Strings decode to {@link
 * org.apache.avro.util.Utf8}, Avro's generic representation, even where the schema carries a code
 * generator's {@code "avro.java.string": "String"} hint. Thread-safe.
 */
public final class ConfluentAvroDecoder implements Serializable, Closeable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final LazySchemaRegistryClient registry;
    /**
     * Schema text rather than {@link Schema}: Java serialization of Avro schemas varies across Avro
     * versions. Null: each value is decoded with its writer schema.
     */
    @Nullable
    private final String readerSchemaJson;

    @Nullable
    private transient volatile Readers readers;

    private ConfluentAvroDecoder(@Nullable Schema readerSchema, String topic, SchemaRegistrySettings settings) {
        checkArgument(topic != null && !topic.isBlank(), "topic must not be blank");
        this.topic = topic;
        this.registry = new LazySchemaRegistryClient(settings);
        this.readerSchemaJson = readerSchema == null ? null : withoutJavaStringHints(readerSchema);
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
        return new ConfluentAvroDecoder(checkNotNull(readerSchema, "readerSchema"), topic, settings);
    }

    /**
     * A decoder for values of {@code topic} that reads each value in its own writer schema (the
     * registry's schema for the id in its header, without {@code avro.java.string} hints), without
     * Avro's schema resolution: the caller decides what each writer schema's fields become. A record's
     * {@link GenericRecord#getSchema() schema} is the same instance for every record of one schema id;
     * writer schemas that are not records are {@link Reason#INVALID_SCHEMA}.
     */
    public static ConfluentAvroDecoder forWriterSchemas(String topic, SchemaRegistrySettings settings) {
        return new ConfluentAvroDecoder(null, topic, settings);
    }

    public String topic() {
        return topic;
    }

    /**
     * Reports this decoder's registry requests and unknown-id cache hits to {@code listener}, e.g. a
     * {@link DecodeMetrics}; call it in the operator's {@code open()}.
     */
    public void setListener(SchemaRegistryListener listener) {
        registry.setListener(listener);
    }

    /**
     * Decodes one record value.
     *
     * @throws WireFormatException the value is not a readable Confluent Avro record; {@link
     *     WireFormatException#reason()} says why
     * @throws IOException the registry could not answer (e.g. a {@link SchemaRegistryException})
     */
    public GenericRecord decode(@Nullable byte[] value) throws IOException {
        return decodeWithSchemaId(value).record();
    }

    /**
     * Decodes one record value and tells the writer schema id from its header, e.g. to pick what to do
     * with records of each writer schema; with {@link #forWriterSchemas} the record's {@link
     * GenericRecord#getSchema()} is that writer schema.
     *
     * @throws WireFormatException the value is not a readable Confluent Avro record; {@link
     *     WireFormatException#reason()} says why
     * @throws IOException the registry could not answer (e.g. a {@link SchemaRegistryException})
     */
    public Decoded decodeWithSchemaId(@Nullable byte[] value) throws IOException {
        if (value == null) {
            throw new WireFormatException(
                    Reason.NULL_VALUE, topic(), "Record in topic '" + topic() + "' has no value (null)", null);
        }
        int schemaId = ConfluentWireFormat.readSchemaId(new ByteArrayInputStream(value), topic);
        WriterReader reader = readers().forSchemaId(schemaId);
        BoundedBinaryDecoder body = new BoundedBinaryDecoder(reader.zeroByteItemBudget())
                .reset(value, ConfluentWireFormat.HEADER_LENGTH, value.length - ConfluentWireFormat.HEADER_LENGTH);
        GenericRecord record;
        try {
            record = reader.datumReader().read(null, body);
        } catch (DeclaredLengthException e) {
            throw bodyError(Reason.MALFORMED_BODY, value, schemaId, "does not decode: its " + e.getMessage(), e);
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
        return new Decoded(schemaId, record);
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
                    current =
                            new Readers(readerSchemaJson == null ? null : new Schema.Parser().parse(readerSchemaJson));
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
        registry.close();
    }

    @Override
    public String toString() {
        return "ConfluentAvroDecoder{topic=" + topic + ", settings=" + registry.settings()
                + (readerSchemaJson == null ? ", writer schemas" : "") + "}";
    }

    /** A decoded value: the writer schema id from its header and the record. */
    public record Decoded(int schemaId, GenericRecord record) {}

    /** How values of one writer schema id are read: a datum reader, or why they cannot be. */
    private record WriterReader(
            @Nullable GenericDatumReader<GenericRecord> datumReader,
            long zeroByteItemBudget,
            @Nullable Reason refusal,
            @Nullable String refusalMessage) {

        static WriterReader refused(Reason reason, String message) {
            return new WriterReader(null, 0, reason, message);
        }
    }

    /**
     * One datum reader per writer schema id: checking and resolving a writer schema is done once per id. The
     * writer schemas themselves are the registry client's (its id → schema cache); this holds what is made of them.
     */
    private final class Readers {

        /** Null: each value is read with its writer schema. */
        @Nullable
        private final Schema readerSchema;

        private final Map<Integer, WriterReader> bySchemaId = new ConcurrentHashMap<>();

        Readers(@Nullable Schema readerSchema) {
            this.readerSchema = readerSchema;
        }

        WriterReader forSchemaId(int schemaId) throws IOException {
            WriterReader reader = bySchemaId.get(schemaId);
            if (reader == null) {
                reader = newReader(schemaId);
                // Ids are immutable in a registry and the reader schema is fixed: the verdict holds for good.
                bySchemaId.put(schemaId, reader);
            }
            if (reader.refusal() != null) {
                throw new WireFormatException(reader.refusal(), topic(), reader.refusalMessage(), null);
            }
            return reader;
        }

        private WriterReader newReader(int schemaId) throws IOException {
            Schema writerSchema = ConfluentWireFormat.writerSchema(registry.get(), schemaId, topic);
            String limitProblem = WriterSchemaLimits.problem(writerSchema);
            if (limitProblem != null) {
                return WriterReader.refused(
                        Reason.INVALID_SCHEMA,
                        "Value in topic '" + topic() + "' was written with schema id " + schemaId + " ("
                                + writerSchema.getFullName() + "), which is not decoded: " + limitProblem);
            }
            long zeroByteItemBudget = WriterSchemaLimits.zeroByteItemBudget(writerSchema);
            if (readerSchema == null) {
                if (writerSchema.getType() != Schema.Type.RECORD) {
                    return WriterReader.refused(
                            Reason.INVALID_SCHEMA,
                            "Value in topic '" + topic() + "' was written with schema id " + schemaId
                                    + ", which is a " + writerSchema.getType() + ", not a record: only records map"
                                    + " to table rows");
                }
                Schema reader = new Schema.Parser().parse(withoutJavaStringHints(writerSchema));
                return new WriterReader(new GenericDatumReader<>(reader, reader), zeroByteItemBudget, null, null);
            }
            SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return WriterReader.refused(
                        Reason.INCOMPATIBLE_SCHEMA,
                        "Value in topic '" + topic() + "' was written with schema id " + schemaId + " ("
                                + writerSchema.getFullName() + "), which cannot be read as "
                                + readerSchema.getFullName() + ": " + compatibility.getDescription());
            }
            return new WriterReader(
                    new GenericDatumReader<>(writerSchema, readerSchema), zeroByteItemBudget, null, null);
        }
    }
}
