package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.flink.formats.avro.SchemaCoder;

/**
 * Flink's {@link SchemaCoder} for Confluent's wire format (magic byte 0x00, 4-byte big-endian schema
 * id, Avro binary), the values Confluent's {@code KafkaAvroSerializer} writes. Plugged into {@link
 * RegistryAvroSerializationSchema} / {@link RegistryAvroDeserializationSchema}; {@link ConfluentAvro}
 * builds those in one line.
 *
 * <p>Writing uses the subject {@code <topic>-value} (Confluent's TopicNameStrategy) and the id policy
 * of {@link SchemaRegistryClient#writerSchemaId}; Flink asks for it once per record, so the last schema
 * written is remembered and a record whose schema is the same instance costs no hashing or map lookup.
 * Reading goes through {@link ConfluentWireFormat}, as {@link ConfluentAvroDecoder} does, and the
 * registry client's one id → schema cache. The registry client is created on first use, on the task,
 * never on the client that builds the job.
 */
public final class ConfluentSchemaCoder implements SchemaCoder, Serializable, Closeable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String subject;
    private final LazySchemaRegistryClient registry;

    /** Immutable, so a reader on another thread sees either the old or the new pair, never a mix. */
    @Nullable
    private transient volatile IdAndSchema lastWritten;

    private ConfluentSchemaCoder(String topic, SchemaRegistrySettings settings) {
        checkArgument(topic != null && !topic.isBlank(), "topic must not be blank");
        this.topic = topic;
        this.subject = valueSubject(topic);
        this.registry = new LazySchemaRegistryClient(settings);
    }

    /** A provider of coders for the values of {@code topic}; serializable, as Flink ships it to the tasks. */
    public static Provider provider(String topic, SchemaRegistrySettings settings) {
        return new Provider(topic, settings);
    }

    /** Confluent's TopicNameStrategy subject for record values: {@code <topic>-value}. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    @Override
    public Schema readSchema(InputStream in) throws IOException {
        return ConfluentWireFormat.writerSchema(registry.get(), ConfluentWireFormat.readSchemaId(in, topic), topic);
    }

    @Override
    public void writeSchema(Schema schema, OutputStream out) throws IOException {
        IdAndSchema last = lastWritten;
        int schemaId;
        if (last != null && last.schema() == schema) {
            schemaId = last.id();
        } else {
            schemaId = registry.get().writerSchemaId(subject, schema);
            lastWritten = new IdAndSchema(schemaId, schema);
        }
        ConfluentWireFormat.writeHeader(schemaId, out);
    }

    /**
     * Closes the registry client, if one was created, and forgets it and the last written schema; a later use
     * creates a new client. Call it from the {@code close()} of the operator that uses this coder.
     */
    @Override
    public void close() {
        lastWritten = null;
        registry.close();
    }

    @Override
    public String toString() {
        return "ConfluentSchemaCoder{topic=" + topic + ", settings=" + registry.settings() + "}";
    }

    /** The last schema written and its id: Flink asks for the id of every record, almost always of one schema. */
    private record IdAndSchema(int id, Schema schema) {}

    /** Creates one {@link ConfluentSchemaCoder} per task. */
    public static final class Provider implements SchemaCoder.SchemaCoderProvider {

        private static final long serialVersionUID = 1L;

        private final String topic;
        private final SchemaRegistrySettings settings;

        private Provider(String topic, SchemaRegistrySettings settings) {
            checkArgument(topic != null && !topic.isBlank(), "topic must not be blank");
            this.topic = topic;
            this.settings = checkNotNull(settings, "settings");
        }

        @Override
        public ConfluentSchemaCoder get() {
            return new ConfluentSchemaCoder(topic, settings);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Provider other && topic.equals(other.topic) && settings.equals(other.settings);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, settings);
        }

        @Override
        public String toString() {
            return "ConfluentSchemaCoder.Provider{topic=" + topic + ", settings=" + settings + "}";
        }
    }
}
