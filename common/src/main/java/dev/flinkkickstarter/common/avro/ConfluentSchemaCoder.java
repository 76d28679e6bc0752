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
 * of {@link SchemaRegistryClient#writerSchemaId}. Flink calls {@link #writeSchema} and {@link
 * #readSchema} once per record, so both remember the last schema: a record whose schema is the same
 * instance (writing) or whose id is the same (reading) costs no hashing, parsing or map lookup. The
 * registry client is created on first use, on the task, never on the client that builds the job.
 */
public final class ConfluentSchemaCoder implements SchemaCoder, Serializable, Closeable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String subject;
    private final SchemaRegistrySettings settings;

    @Nullable
    private transient volatile SchemaRegistryClient client;
    // Immutable pairs, so a reader on another thread sees either the old or the new pair, never a mix.
    @Nullable
    private transient volatile IdAndSchema lastWritten;

    @Nullable
    private transient volatile IdAndSchema lastRead;

    @Nullable
    private transient volatile SchemaRegistryListener listener;

    ConfluentSchemaCoder(String topic, SchemaRegistrySettings settings) {
        checkArgument(topic != null && !topic.isBlank(), "topic must not be blank");
        this.topic = topic;
        this.subject = valueSubject(topic);
        this.settings = checkNotNull(settings, "settings");
        SchemaRegistryClient.checkSettings(settings);
    }

    /** A provider of coders for the values of {@code topic}; serializable, as Flink ships it to the tasks. */
    public static Provider provider(String topic, SchemaRegistrySettings settings) {
        return new Provider(topic, settings);
    }

    /** Confluent's TopicNameStrategy subject for record values. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    @Override
    public Schema readSchema(InputStream in) throws IOException {
        return schemaForId(readSchemaId(in));
    }

    @Override
    public void writeSchema(Schema schema, OutputStream out) throws IOException {
        IdAndSchema last = lastWritten;
        int schemaId;
        if (last != null && last.schema() == schema) {
            schemaId = last.id();
        } else {
            schemaId = client().writerSchemaId(subject, schema);
            lastWritten = new IdAndSchema(schemaId, schema);
        }
        ConfluentWireFormat.writeHeader(schemaId, out);
    }

    /** Reads the header; the stream is left at the Avro body. */
    int readSchemaId(InputStream in) throws IOException {
        return ConfluentWireFormat.readSchemaId(in, topic);
    }

    /** The writer schema for an id read from a header. */
    Schema schemaForId(int schemaId) throws IOException {
        IdAndSchema last = lastRead;
        if (last != null && last.id() == schemaId) {
            return last.schema();
        }
        Schema schema = ConfluentWireFormat.writerSchema(client(), schemaId, topic);
        lastRead = new IdAndSchema(schemaId, schema);
        return schema;
    }

    String topic() {
        return topic;
    }

    /** Reports the registry client's requests and cache hits to {@code listener}. */
    synchronized void setListener(SchemaRegistryListener listener) {
        this.listener = checkNotNull(listener, "listener");
        SchemaRegistryClient current = client;
        if (current != null) {
            current.setListener(listener);
        }
    }

    private SchemaRegistryClient client() {
        SchemaRegistryClient current = client;
        if (current == null) {
            synchronized (this) {
                current = client;
                if (current == null) {
                    current = SchemaRegistryClient.create(settings);
                    SchemaRegistryListener currentListener = listener;
                    if (currentListener != null) {
                        current.setListener(currentListener);
                    }
                    client = current;
                }
            }
        }
        return current;
    }

    /**
     * Closes the registry client, if one was created, and forgets it and the remembered schemas; a later
     * use creates a new client. Call it from the {@code close()} of the operator that uses this coder.
     */
    @Override
    public void close() {
        SchemaRegistryClient current;
        synchronized (this) {
            current = client;
            client = null;
            lastWritten = null;
            lastRead = null;
        }
        if (current != null) {
            current.close();
        }
    }

    @Override
    public String toString() {
        return "ConfluentSchemaCoder{topic=" + topic + ", settings=" + settings + "}";
    }

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
            // The coders are made on the tasks; checking here fails the job when it is built instead.
            SchemaRegistryClient.checkSettings(settings);
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
