package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import dev.flinkkickstarter.common.avro.testing.TestFlight;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Confluent wire format against a real Schema Registry (Apicurio serving the Confluent API). */
class ConfluentAvroITCase {

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private static final Schema FLIGHT_V1 = SchemaBuilder.record("Flight")
            .namespace("it")
            .fields()
            .requiredString("flightNumber")
            .requiredLong("departure")
            .endRecord();
    private static final Schema FLIGHT_V2 = SchemaBuilder.record("Flight")
            .namespace("it")
            .fields()
            .requiredString("flightNumber")
            .requiredLong("departure")
            .name("gate")
            .type()
            .stringType()
            .stringDefault("unknown")
            .endRecord();

    /** Each test writes its own topic's subject, so tests cannot see each other's schemas. */
    private String topic;

    private RegistryHttp registryHttp;

    @BeforeEach
    void newTopic() {
        topic = "it.flights" + TOPICS.incrementAndGet();
        registryHttp = new RegistryHttp(REGISTRY.url());
    }

    @Test
    void specificRecordRoundTripWritesTheRegisteredId() throws Exception {
        SerializationSchema<TestFlight> serializer = ConfluentAvro.serializer(TestFlight.class, topic, settings());
        DeserializationSchema<TestFlight> deserializer =
                ConfluentAvro.deserializer(TestFlight.class, topic, settings());
        TestFlight flight = ConfluentAvroTest.flight(7);

        byte[] value = serializer.serialize(flight);

        ByteBuffer header = ByteBuffer.wrap(value, 0, 5);
        assertThat(header.get()).as("magic byte").isZero();
        assertThat(header.getInt()).as("schema id").isEqualTo(registryHttp.latestId(topic + "-value"));
        assertThat(deserializer.deserialize(value)).isEqualTo(flight);
    }

    @Test
    void genericRecordRoundTrip() throws Exception {
        SerializationSchema<GenericRecord> serializer = ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings());
        DeserializationSchema<GenericRecord> deserializer =
                ConfluentAvro.genericDeserializer(FLIGHT_V1, topic, settings());

        GenericRecord decoded = deserializer.deserialize(serializer.serialize(flightV1("SK1", 42L)));

        assertThat(decoded).isEqualTo(flightV1("SK1", 42L));
    }

    @Test
    void secondSerializerReusesTheIdWithoutRegisteringAnew() throws Exception {
        SerializationSchema<TestFlight> first =
                InstantiationUtil.clone(ConfluentAvro.serializer(TestFlight.class, topic, settings()));
        SerializationSchema<TestFlight> second =
                InstantiationUtil.clone(ConfluentAvro.serializer(TestFlight.class, topic, settings()));
        int firstId = schemaId(first.serialize(ConfluentAvroTest.flight(1)));

        REGISTRY.resetRequestCount();
        int secondId = schemaId(second.serialize(ConfluentAvroTest.flight(2)));

        assertThat(secondId).isEqualTo(firstId);
        assertThat(REGISTRY.requestCount())
                .as("registry requests of the second serializer")
                .isEqualTo(1);
        assertThat(registryHttp.versions(topic + "-value"))
                .as("versions of the subject")
                .hasSize(1);
    }

    @Test
    void hundredThousandRecordsCostAHandfulOfRegistryRequests() throws Exception {
        SerializationSchema<TestFlight> serializer = ConfluentAvro.serializer(TestFlight.class, topic, settings());
        DeserializationSchema<TestFlight> deserializer =
                ConfluentAvro.deserializer(TestFlight.class, topic, settings());
        REGISTRY.resetRequestCount();

        long seats = 0;
        for (int i = 0; i < 100_000; i++) {
            seats += deserializer
                    .deserialize(serializer.serialize(ConfluentAvroTest.flight(i)))
                    .getSeats();
        }

        assertThat(seats).isEqualTo(100_000L * 99_999 / 2);
        // One registration by the serializer, one fetch by id by the deserializer.
        assertThat(REGISTRY.requestCount()).isEqualTo(2);
    }

    @Test
    void useLatestVersionWritesWithTheSchemaRegisteredByOthers() throws Exception {
        int id = registryHttp.register(topic + "-value", FLIGHT_V1.toString());
        SerializationSchema<GenericRecord> serializer =
                ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings(latestVersionOnly()));

        byte[] value = serializer.serialize(flightV1("SK1", 1L));

        assertThat(schemaId(value)).isEqualTo(id);
        assertThat(registryHttp.versions(topic + "-value")).hasSize(1);
    }

    @Test
    void useLatestVersionFailsClearlyWhenTheSubjectIsMissing() {
        SerializationSchema<GenericRecord> serializer =
                ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings(latestVersionOnly()));

        assertThatThrownBy(() -> serializer.serialize(flightV1("SK1", 1L)))
                .cause()
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Subject '" + topic + "-value' not found at " + REGISTRY.url())
                .hasMessageContaining("Auto-registration is off")
                .hasMessageContaining("register the schema for subject '" + topic + "-value' first");
    }

    @Test
    void olderRecordsReadWithNewerSchemaAndNewerWithOlder() throws Exception {
        byte[] writtenWithV1 =
                ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings()).serialize(flightV1("SK1", 1L));
        GenericRecord v2Record = new GenericData.Record(FLIGHT_V2);
        v2Record.put("flightNumber", "SK2");
        v2Record.put("departure", 2L);
        v2Record.put("gate", "B7");
        byte[] writtenWithV2 =
                ConfluentAvro.genericSerializer(FLIGHT_V2, topic, settings()).serialize(v2Record);
        assertThat(schemaId(writtenWithV2)).isNotEqualTo(schemaId(writtenWithV1));

        GenericRecord v1AsV2 =
                ConfluentAvro.genericDeserializer(FLIGHT_V2, topic, settings()).deserialize(writtenWithV1);
        GenericRecord v2AsV1 =
                ConfluentAvro.genericDeserializer(FLIGHT_V1, topic, settings()).deserialize(writtenWithV2);

        assertThat(v1AsV2.get("gate")).hasToString("unknown");
        assertThat(v1AsV2.get("flightNumber")).hasToString("SK1");
        assertThat(v2AsV1).isEqualTo(flightV1("SK2", 2L));
        ConfluentAvroDecoder decoderV2 = ConfluentAvroDecoder.create(FLIGHT_V2, topic, settings());
        assertThat(decoderV2.decode(writtenWithV1).get("gate")).hasToString("unknown");
        assertThat(decoderV2.decode(writtenWithV2).get("gate")).hasToString("B7");
    }

    @Test
    void incompatibleSchemaIsRejectedWithTheSubjectsCompatibility() throws Exception {
        ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings()).serialize(flightV1("SK1", 1L));
        registryHttp.setCompatibility(topic + "-value", "BACKWARD");
        Schema renamedField = SchemaBuilder.record("Flight")
                .namespace("it")
                .fields()
                .requiredString("flightId")
                .endRecord();
        GenericRecord record = new GenericData.Record(renamedField);
        record.put("flightId", "SK1");
        SerializationSchema<GenericRecord> serializer =
                ConfluentAvro.genericSerializer(renamedField, topic, settings());

        assertThatThrownBy(() -> serializer.serialize(record))
                .cause()
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.httpStatus()).isEqualTo(409))
                .hasMessageContaining("incompatible with the compatibility setting of subject '" + topic + "-value'");
    }

    @Test
    void badBytesAreDistinctClearFailures() throws Exception {
        byte[] good = ConfluentAvro.genericSerializer(FLIGHT_V1, topic, settings())
                .serialize(flightV1("SK1", 1_700_000_000_000L));
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.create(FLIGHT_V1, topic, settings());

        assertThat(decoder.decode(good)).isEqualTo(flightV1("SK1", 1_700_000_000_000L));
        assertFailure(decoder, new byte[0], Reason.EMPTY, "Empty value");
        assertFailure(decoder, "{\"a\":1}".getBytes(), Reason.WRONG_MAGIC_BYTE, "first bytes: 7b 22 61 22 3a 31 7d");
        assertFailure(decoder, Arrays.copyOf(good, 3), Reason.TRUNCATED_HEADER, "ends inside the 5-byte");
        assertFailure(
                decoder, new byte[] {0, 0, 0x0f, 0x42, 0x3f, 2, 'x'}, Reason.UNKNOWN_SCHEMA_ID, "schema id 999999");
        assertFailure(decoder, Arrays.copyOf(good, good.length - 1), Reason.TRUNCATED_BODY, "ends before");
        // The Flink deserializer fails on the same header problems with the same exception.
        assertThatThrownBy(() -> ConfluentAvro.genericDeserializer(FLIGHT_V1, topic, settings())
                        .deserialize(new byte[] {1, 2}))
                .isInstanceOfSatisfying(
                        WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_MAGIC_BYTE));
    }

    private void assertFailure(ConfluentAvroDecoder decoder, byte[] value, Reason reason, String messagePart) {
        assertThatThrownBy(() -> decoder.decode(value))
                .isInstanceOfSatisfying(
                        WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart)
                .hasMessageContaining("topic '" + topic + "'");
    }

    private static Map<String, String> latestVersionOnly() {
        return Map.of(
                SchemaRegistrySettings.AUTO_REGISTER_SCHEMAS,
                "false",
                SchemaRegistrySettings.USE_LATEST_VERSION,
                "true");
    }

    private static SchemaRegistrySettings settings() {
        return settings(Map.of());
    }

    private static SchemaRegistrySettings settings(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put(SchemaRegistrySettings.URL, REGISTRY.url());
        return SchemaRegistrySettings.of(properties);
    }

    private static GenericRecord flightV1(String flightNumber, long departure) {
        GenericRecord record = new GenericData.Record(FLIGHT_V1);
        record.put("flightNumber", flightNumber);
        record.put("departure", departure);
        return record;
    }

    private static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }
}
