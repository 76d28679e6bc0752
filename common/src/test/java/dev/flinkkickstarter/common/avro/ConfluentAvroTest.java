package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.testing.TestFlight;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.nio.ByteBuffer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConfluentAvroTest {

    private static final String TOPIC = "airline.test";

    @RegisterExtension
    final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    @Test
    void specificRoundTripWritesMagicByteAndRegisteredId() throws Exception {
        SerializationSchema<TestFlight> serializer =
                ConfluentAvro.serializer(TestFlight.class, TOPIC, registry.settings());
        DeserializationSchema<TestFlight> deserializer =
                ConfluentAvro.deserializer(TestFlight.class, TOPIC, registry.settings());
        TestFlight flight = flight(1);

        byte[] value = serializer.serialize(flight);

        int registeredId = registry.preRegister("unrelated-value", "\"string\"") - 1;
        ByteBuffer header = ByteBuffer.wrap(value, 0, 5);
        assertThat(header.get()).isZero();
        assertThat(header.getInt()).isEqualTo(registeredId);
        assertThat(deserializer.deserialize(value)).isEqualTo(flight);
        assertThat(registry.requests())
                .extracting(FakeSchemaRegistry.Request::path)
                .containsExactly("/subjects/airline.test-value/versions", "/schemas/ids/" + registeredId);
    }

    @Test
    void genericRoundTrip() throws Exception {
        SerializationSchema<GenericRecord> serializer =
                ConfluentAvro.genericSerializer(TestFlight.getClassSchema(), TOPIC, registry.settings());
        DeserializationSchema<GenericRecord> deserializer =
                ConfluentAvro.genericDeserializer(TestFlight.getClassSchema(), TOPIC, registry.settings());
        GenericRecord record = new GenericData.Record(TestFlight.getClassSchema());
        record.put("flightNumber", "SK1");
        record.put("departureEpochMillis", 1L);
        record.put("seats", 180);

        GenericRecord decoded = deserializer.deserialize(serializer.serialize(record));

        assertThat(decoded.get("flightNumber")).hasToString("SK1");
        assertThat(decoded.get("seats")).isEqualTo(180);
        assertThat(decoded.get("origin")).isNull();
    }

    @Test
    void perRecordPathMakesNoRegistryRequests() throws Exception {
        SerializationSchema<TestFlight> serializer =
                ConfluentAvro.serializer(TestFlight.class, TOPIC, registry.settings());
        DeserializationSchema<TestFlight> deserializer =
                ConfluentAvro.deserializer(TestFlight.class, TOPIC, registry.settings());

        for (int i = 0; i < 10_000; i++) {
            assertThat(deserializer.deserialize(serializer.serialize(flight(i))).getSeats())
                    .isEqualTo(i);
        }

        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void factoriesSurviveJavaSerializationAsFlinkShipsThem() throws Exception {
        SerializationSchema<TestFlight> serializer =
                InstantiationUtil.clone(ConfluentAvro.serializer(TestFlight.class, TOPIC, registry.settings()));
        DeserializationSchema<TestFlight> deserializer =
                InstantiationUtil.clone(ConfluentAvro.deserializer(TestFlight.class, TOPIC, registry.settings()));

        assertThat(deserializer.deserialize(serializer.serialize(flight(3)))).isEqualTo(flight(3));
        assertThat(InstantiationUtil.clone(ConfluentSchemaCoder.provider(TOPIC, registry.settings())))
                .isEqualTo(ConfluentSchemaCoder.provider(TOPIC, registry.settings()))
                .isNotEqualTo(ConfluentSchemaCoder.provider("other", registry.settings()));
    }

    @Test
    void nothingTalksToTheRegistryUntilTheFirstRecord() {
        ConfluentAvro.serializer(TestFlight.class, TOPIC, registry.settings());
        ConfluentAvro.deserializer(TestFlight.class, TOPIC, registry.settings());

        assertThat(registry.requests()).isEmpty();
    }

    @Test
    void unusableSettingsFailBeforeAJobCanBeBuilt() {
        // Settings are checked when they are made: no serializer or decoder, so no task, ever gets unusable ones.
        assertThatThrownBy(() -> registry.settings(SchemaRegistrySettings.USE_LATEST_VERSION, "true"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use.latest.version");
    }

    static TestFlight flight(int i) {
        return TestFlight.newBuilder()
                .setFlightNumber("SK" + i)
                .setDepartureEpochMillis(1_700_000_000_000L + i)
                .setSeats(i)
                .setOrigin(i % 2 == 0 ? null : "ATL")
                .build();
    }
}
