package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConfluentAvroDecoderTest {

    private static final String TOPIC = "airline.test";
    private static final Schema V1 = SchemaBuilder.record("Flight")
            .namespace("test")
            .fields()
            .requiredString("flightNumber")
            .requiredLong("departure")
            .endRecord();
    private static final Schema V2 = SchemaBuilder.record("Flight")
            .namespace("test")
            .fields()
            .requiredString("flightNumber")
            .requiredLong("departure")
            .name("gate")
            .type()
            .stringType()
            .stringDefault("unknown")
            .endRecord();

    @RegisterExtension
    final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    @Test
    void decodesTheWireFormat() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        byte[] value = confluent(id, v1Record("SK1", 1_700_000_000_000L));

        GenericRecord record = decoder(V1).decode(value);

        assertThat(record.get("flightNumber")).hasToString("SK1");
        assertThat(record.get("departure")).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void decodesStringsAsUtf8EvenWhereTheSchemaAsksForJavaStrings() throws IOException {
        Schema javaStrings = new Schema.Parser()
                .parse("{\"type\":\"record\",\"name\":\"Flight\",\"namespace\":\"test\",\"fields\":["
                        + "{\"name\":\"flightNumber\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}},"
                        + "{\"name\":\"departure\",\"type\":\"long\"},"
                        + "{\"name\":\"crew\",\"type\":{\"type\":\"map\",\"values\":"
                        + "{\"type\":\"string\",\"avro.java.string\":\"String\"},\"avro.java.string\":\"String\"}}]}");
        int id = registry.preRegister(TOPIC + "-value", javaStrings.toString());
        GenericRecord written = new GenericData.Record(javaStrings);
        written.put("flightNumber", "SK1");
        written.put("departure", 1L);
        written.put("crew", Map.of("captain", "Ada"));

        GenericRecord record = decoder(javaStrings).decode(confluent(id, written));

        assertThat(record.get("flightNumber")).isEqualTo(new Utf8("SK1"));
        assertThat(record.get("crew")).isEqualTo(Map.of(new Utf8("captain"), new Utf8("Ada")));
    }

    @Test
    void resolvesOlderWriterToNewerReaderAndBack() throws IOException {
        int v1Id = registry.preRegister(TOPIC + "-value", V1.toString());
        int v2Id = registry.preRegister(TOPIC + "-value", V2.toString());
        GenericRecord v2Record = new GenericData.Record(V2);
        v2Record.put("flightNumber", "SK2");
        v2Record.put("departure", 5L);
        v2Record.put("gate", "B7");

        GenericRecord upgraded = decoder(V2).decode(confluent(v1Id, v1Record("SK1", 1L)));
        GenericRecord downgraded = decoder(V1).decode(confluent(v2Id, v2Record));

        assertThat(upgraded.get("gate")).hasToString("unknown");
        assertThat(downgraded.getSchema()).isEqualTo(V1);
        assertThat(downgraded.get("flightNumber")).hasToString("SK2");
    }

    @Test
    void decodesEachValueWithItsWriterSchemaAndTellsTheId() throws IOException {
        int v1Id = registry.preRegister(TOPIC + "-value", V1.toString());
        int v2Id = registry.preRegister(TOPIC + "-value", V2.toString());
        GenericRecord v2Record = new GenericData.Record(V2);
        v2Record.put("flightNumber", "SK2");
        v2Record.put("departure", 5L);
        v2Record.put("gate", "B7");
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.forWriterSchemas(TOPIC, registry.settings());

        ConfluentAvroDecoder.Decoded v1 = decoder.decodeWithSchemaId(confluent(v1Id, v1Record("SK1", 1L)));
        ConfluentAvroDecoder.Decoded v2 = decoder.decodeWithSchemaId(confluent(v2Id, v2Record));

        assertThat(v1.schemaId()).isEqualTo(v1Id);
        assertThat(v1.record().getSchema()).isEqualTo(V1);
        assertThat(v1.record().get("flightNumber")).isEqualTo(new Utf8("SK1"));
        assertThat(v2.schemaId()).isEqualTo(v2Id);
        assertThat(v2.record().getSchema()).isEqualTo(V2);
        assertThat(v2.record().get("gate")).isEqualTo(new Utf8("B7"));
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void writerSchemasThatAreNotRecordsAreInvalidSchemas() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", "\"string\"");
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.forWriterSchemas(TOPIC, registry.settings());

        assertThatThrownBy(() -> decoder.decode(new byte[] {0, 0, 0, 0, (byte) id, 2, 'x'}))
                .isInstanceOfSatisfying(
                        WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCHEMA))
                .hasMessageContaining("schema id " + id + ", which is a STRING, not a record");
    }

    @Test
    void aDeclaredLengthBeyondTheValueIsMalformedInBothModes() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        // flightNumber declares 1 GiB (varint 0x80 0x80 0x80 0x80 0x08), 2 bytes follow.
        byte[] oneGib = {0, 0, 0, 0, (byte) id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'S', 'K'};

        assertReason(oneGib, Reason.MALFORMED_BODY, "string declares 1073741824 bytes but only 2 are left");
        assertThatThrownBy(() -> ConfluentAvroDecoder.forWriterSchemas(TOPIC, registry.settings())
                        .decode(oneGib))
                .isInstanceOfSatisfying(
                        WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY));
    }

    @Test
    void unusableRegistryAnswersAreDeadLetterReasons() {
        registry.respondNext(200, "{\"schema\": \"syntax = \\\"proto3\\\";\", \"schemaType\": \"PROTOBUF\"}");

        assertReason(
                new byte[] {0, 0, 0, 0, 9, 2, 'x'},
                Reason.UNSUPPORTED_SCHEMA_TYPE,
                "names schema id 9, which is unusable: Schema id 9 at " + registry.url() + " is a PROTOBUF schema");
    }

    @Test
    void fetchesEachWriterSchemaOnce() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        ConfluentAvroDecoder decoder = decoder(V1);

        for (int i = 0; i < 1_000; i++) {
            decoder.decode(confluent(id, v1Record("SK" + i, i)));
        }

        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void nullValue() {
        assertReason(null, Reason.NULL_VALUE, "has no value");
    }

    @Test
    void emptyValue() {
        assertReason(new byte[0], Reason.EMPTY, "Empty value in topic '" + TOPIC + "'");
    }

    @Test
    void wrongMagicByteShowsTheFirstBytes() {
        byte[] json = "{\"flightNumber\":\"SK1\",\"departure\":1}".getBytes();

        assertReason(json, Reason.WRONG_MAGIC_BYTE, "first bytes: 7b 22 66 6c 69 67 68 74 4e 75 6d 62 65 72 22 3a ...");
    }

    @Test
    void truncatedHeader() {
        assertReason(new byte[] {0, 0, 0}, Reason.TRUNCATED_HEADER, "after 3 byte(s) (bytes: 00 00 00)");
    }

    @Test
    void unknownSchemaIdNamesTheIdAndTopic() {
        assertReason(
                new byte[] {0, 0, 0, 0x30, 0x39, 2, 'x'},
                Reason.UNKNOWN_SCHEMA_ID,
                "topic '" + TOPIC + "' names schema id 12345");
    }

    @Test
    void truncatedBody() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        byte[] value = confluent(id, v1Record("SK1", 1_700_000_000_000L));

        assertReason(Arrays.copyOf(value, value.length - 2), Reason.TRUNCATED_BODY, "ends before the record does");
    }

    @Test
    void malformedBody() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        byte[] negativeStringLength = {0, 0, 0, 0, (byte) id, 0x01, 0x02};

        assertReason(negativeStringLength, Reason.MALFORMED_BODY, "does not decode");
    }

    @Test
    void bytesLeftOverAreMalformed() throws IOException {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        byte[] value = confluent(id, v1Record("SK1", 1L));
        byte[] withTrailer = Arrays.copyOf(value, value.length + 3);

        assertReason(withTrailer, Reason.MALFORMED_BODY, "bytes left over");
    }

    @Test
    void incompatibleWriterSchema() throws IOException {
        Schema unrelated = SchemaBuilder.record("Flight")
                .namespace("test")
                .fields()
                .requiredInt("flightNumber")
                .endRecord();
        int id = registry.preRegister(TOPIC + "-value", unrelated.toString());
        GenericRecord record = new GenericData.Record(unrelated);
        record.put("flightNumber", 7);

        assertReason(confluent(id, record), Reason.INCOMPATIBLE_SCHEMA, "cannot be read as test.Flight");
    }

    @Test
    void registryTroubleIsNotAWireFormatProblem() {
        ConfluentAvroDecoder decoder = decoder(V1);
        for (int i = 0; i < 4; i++) {
            registry.respondNext(503, "{\"error_code\":50301,\"message\":\"down\"}");
        }

        assertThatThrownBy(() -> decoder.decode(new byte[] {0, 0, 0, 0, 42, 2, 'x'}))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(WireFormatException.class)
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        int id = registry.preRegister(TOPIC + "-value", V1.toString());
        ConfluentAvroDecoder shipped = InstantiationUtil.clone(decoder(V1));

        assertThat(shipped.decode(confluent(id, v1Record("SK9", 9L))).get("flightNumber"))
                .hasToString("SK9");
        assertThat(shipped.topic()).isEqualTo(TOPIC);
    }

    private void assertReason(byte[] value, Reason reason, String messagePart) {
        assertThatThrownBy(() -> decoder(V1).decode(value))
                .isInstanceOfSatisfying(WireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.topic()).isEqualTo(TOPIC);
                })
                .hasMessageContaining(messagePart);
    }

    private ConfluentAvroDecoder decoder(Schema readerSchema) {
        return ConfluentAvroDecoder.create(readerSchema, TOPIC, registry.settings());
    }

    private static GenericRecord v1Record(String flightNumber, long departure) {
        GenericRecord record = new GenericData.Record(V1);
        record.put("flightNumber", flightNumber);
        record.put("departure", departure);
        return record;
    }

    /** The wire format written by hand, independent of the code under test. */
    private static byte[] confluent(int schemaId, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(
                new byte[] {(byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8), (byte) schemaId
                });
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
