package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;

/**
 * One-line Flink (de)serialization schemas for Confluent-wire-format Avro record values of a topic
 * (subject {@code <topic>-value}), e.g. {@code KafkaRecordSerializationSchema.builder()
 * .setValueSerializationSchema(ConfluentAvro.serializer(SkyOneAirlinesFlightData.class, topic,
 * settings))}.
 *
 * <p>The deserializers fail the job on a bad record; to route bad records to a dead-letter topic
 * instead, use {@link ConfluentAvroDecoder}.
 */
public final class ConfluentAvro {

    private ConfluentAvro() {}

    /** Writes {@code type} records; the schema id comes from the registry per {@link SchemaRegistryClient#writerSchemaId}. */
    public static <T extends SpecificRecord> SerializationSchema<T> serializer(
            Class<T> type, String topic, SchemaRegistrySettings settings) {
        checkNotNull(type, "type");
        return RegistryAvroSerializationSchema.forSpecific(type, ConfluentSchemaCoder.provider(topic, settings));
    }

    /** Reads values written with any schema compatible with {@code type}'s schema into {@code type}. */
    public static <T extends SpecificRecord> DeserializationSchema<T> deserializer(
            Class<T> type, String topic, SchemaRegistrySettings settings) {
        checkNotNull(type, "type");
        return new RegistryAvroDeserializationSchema<>(type, null, ConfluentSchemaCoder.provider(topic, settings));
    }

    /** Writes {@link GenericRecord}s of {@code schema}. */
    public static SerializationSchema<GenericRecord> genericSerializer(
            Schema schema, String topic, SchemaRegistrySettings settings) {
        checkNotNull(schema, "schema");
        return RegistryAvroSerializationSchema.forGeneric(schema, ConfluentSchemaCoder.provider(topic, settings));
    }

    /** Reads values written with any schema compatible with {@code readerSchema} as records of {@code readerSchema}. */
    public static DeserializationSchema<GenericRecord> genericDeserializer(
            Schema readerSchema, String topic, SchemaRegistrySettings settings) {
        checkNotNull(readerSchema, "readerSchema");
        return new RegistryAvroDeserializationSchema<>(
                GenericRecord.class, readerSchema, ConfluentSchemaCoder.provider(topic, settings));
    }
}
