package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.RowDataWrapper;
import org.apache.iceberg.util.UUIDUtil;
import org.junit.jupiter.api.Test;

/**
 * Every Avro type {@link AvroSchemas} accepts converts through {@link AvroToRowData}: for each type,
 * as a required, optional, array, map and nested-record field, random values written by Avro and read
 * back as the decoder reads them become the Flink value Iceberg's writers expect (cross-checked with
 * Iceberg's own {@link RowDataWrapper}).
 */
class AvroToRowDataPropertyTest {

    private static final int VALUES_PER_TYPE = 200;

    /** An Avro type, a random value of it as Avro writes it, and the Flink value it must become. */
    private record TypeCase(
            String name, String avroType, Function<Random, Object> random, Function<Object, Object> flink) {}

    private static List<TypeCase> cases() {
        List<TypeCase> cases = new ArrayList<>();
        cases.add(new TypeCase("boolean", "\"boolean\"", Random::nextBoolean, v -> v));
        cases.add(new TypeCase("int", "\"int\"", Random::nextInt, v -> v));
        cases.add(new TypeCase("long", "\"long\"", Random::nextLong, v -> v));
        cases.add(new TypeCase("float", "\"float\"", Random::nextFloat, v -> v));
        cases.add(new TypeCase("double", "\"double\"", Random::nextDouble, v -> v));
        cases.add(new TypeCase(
                "string", "\"string\"", r -> new Utf8("s" + r.nextInt()), v -> StringData.fromString(v.toString())));
        cases.add(new TypeCase(
                "bytes", "\"bytes\"", r -> ByteBuffer.wrap(bytes(r, r.nextInt(20))), v -> array((ByteBuffer) v)));
        cases.add(new TypeCase(
                "enum",
                "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"B\"]}",
                r -> r.nextBoolean() ? "A" : "B",
                v -> StringData.fromString(v.toString())));
        cases.add(new TypeCase(
                "fixed",
                "{\"type\": \"fixed\", \"name\": \"F5\", \"size\": 5}",
                r -> bytes(r, 5),
                v -> ((GenericFixed) v).bytes()));
        cases.add(new TypeCase(
                "date", "{\"type\": \"int\", \"logicalType\": \"date\"}", r -> r.nextInt(100_000) - 50_000, v -> v));
        cases.add(new TypeCase(
                "time-millis",
                "{\"type\": \"int\", \"logicalType\": \"time-millis\"}",
                r -> r.nextInt(86_400_000),
                v -> v));
        cases.add(new TypeCase(
                "time-micros",
                "{\"type\": \"long\", \"logicalType\": \"time-micros\"}",
                r -> (long) r.nextInt(86_400_000) * 1_000L + r.nextInt(1_000),
                v -> (int) ((Long) v / 1_000L)));
        cases.add(new TypeCase(
                "timestamp-millis",
                "{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}",
                r -> r.nextLong(-1L << 42, 1L << 42),
                v -> TimestampData.fromEpochMillis((Long) v)));
        cases.add(new TypeCase(
                "timestamp-micros",
                "{\"type\": \"long\", \"logicalType\": \"timestamp-micros\"}",
                r -> r.nextLong(-1L << 52, 1L << 52),
                v -> TimestampData.fromEpochMillis(
                        Math.floorDiv((Long) v, 1_000L), (int) Math.floorMod((Long) v, 1_000L) * 1_000)));
        cases.add(new TypeCase(
                "local-timestamp-millis",
                "{\"type\": \"long\", \"logicalType\": \"local-timestamp-millis\"}",
                Random::nextLong,
                v -> v));
        cases.add(new TypeCase(
                "local-timestamp-micros",
                "{\"type\": \"long\", \"logicalType\": \"local-timestamp-micros\"}",
                Random::nextLong,
                v -> v));
        cases.add(new TypeCase(
                "decimal on bytes",
                "{\"type\": \"bytes\", \"logicalType\": \"decimal\", \"precision\": 12, \"scale\": 3}",
                r -> ByteBuffer.wrap(BigInteger.valueOf(r.nextLong(-999_999_999_999L, 999_999_999_999L))
                        .toByteArray()),
                v -> DecimalData.fromBigDecimal(new BigDecimal(new BigInteger(array((ByteBuffer) v)), 3), 12, 3)));
        cases.add(new TypeCase(
                "decimal on fixed",
                "{\"type\": \"fixed\", \"name\": \"D8\", \"size\": 8, \"logicalType\": \"decimal\", \"precision\": 18,"
                        + " \"scale\": 2}",
                r -> ByteBuffer.allocate(8)
                        .putLong(r.nextLong(-999_999_999_999_999_999L, 999_999_999_999_999_999L))
                        .array(),
                v -> DecimalData.fromBigDecimal(new BigDecimal(new BigInteger(((GenericFixed) v).bytes()), 2), 18, 2)));
        cases.add(new TypeCase(
                "uuid on string",
                "{\"type\": \"string\", \"logicalType\": \"uuid\"}",
                r -> new Utf8(new UUID(r.nextLong(), r.nextLong()).toString()),
                v -> UUIDUtil.convert(UUID.fromString(v.toString()))));
        cases.add(new TypeCase(
                "uuid on fixed(16)",
                "{\"type\": \"fixed\", \"name\": \"U16\", \"size\": 16, \"logicalType\": \"uuid\"}",
                r -> UUIDUtil.convert(new UUID(r.nextLong(), r.nextLong())),
                v -> ((GenericFixed) v).bytes()));
        return cases;
    }

    @Test
    void everyAcceptedTypeConvertsRequiredOptionalInArraysMapsAndRecords() throws IOException {
        Random random = new Random(2026);
        for (TypeCase type : cases()) {
            org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser()
                    .parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
                            + "{\"name\": \"required\", \"type\": " + type.avroType() + "},"
                            + "{\"name\": \"optional\", \"type\": [\"null\", " + reference(type) + "]},"
                            + "{\"name\": \"nullLast\", \"type\": [" + reference(type) + ", \"null\"]},"
                            + "{\"name\": \"list\", \"type\": {\"type\": \"array\", \"items\": " + reference(type)
                            + "}},"
                            + "{\"name\": \"map\", \"type\": {\"type\": \"map\", \"values\": " + reference(type) + "}},"
                            + "{\"name\": \"nested\", \"type\": {\"type\": \"record\", \"name\": \"N\", \"fields\":"
                            + " [{\"name\": \"inner\", \"type\": " + reference(type) + "}]}}]}");
            Schema table = AvroSchemas.toIceberg(avro);
            AvroToRowData converter = AvroToRowData.forSchemas(table, avro);
            RowDataWrapper icebergView = new RowDataWrapper(FlinkSchemaUtil.convert(table), table.asStruct());

            for (int i = 0; i < VALUES_PER_TYPE; i++) {
                GenericRecord written = new GenericData.Record(avro);
                written.put("required", avroValue(avro.getField("required").schema(), type, random));
                written.put(
                        "optional",
                        random.nextBoolean()
                                ? null
                                : avroValue(avro.getField("required").schema(), type, random));
                written.put("nullLast", avroValue(avro.getField("required").schema(), type, random));
                List<Object> list = new ArrayList<>();
                Map<Utf8, Object> map = new HashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    list.add(avroValue(avro.getField("required").schema(), type, random));
                    map.put(
                            new Utf8("k" + n),
                            avroValue(avro.getField("required").schema(), type, random));
                }
                written.put("list", list);
                written.put("map", map);
                GenericRecord nested =
                        new GenericData.Record(avro.getField("nested").schema());
                nested.put("inner", avroValue(avro.getField("required").schema(), type, random));
                written.put("nested", nested);
                GenericRecord read = roundTrip(written);

                GenericRowData row = converter.convert(read);

                String what = type.name() + " value " + i;
                assertThat(normalize(row.getField(0))).as(what).isEqualTo(expected(type, read.get("required")));
                assertThat(normalize(row.getField(1))).as(what).isEqualTo(expected(type, read.get("optional")));
                assertThat(normalize(row.getField(2))).as(what).isEqualTo(expected(type, read.get("nullLast")));
                List<Object> expectedList = new ArrayList<>();
                ((List<?>) read.get("list")).forEach(v -> expectedList.add(expected(type, v)));
                assertThat(normalize(row.getField(3))).as(what).isEqualTo(expectedList);
                Map<Object, Object> expectedMap = new HashMap<>();
                ((Map<?, ?>) read.get("map"))
                        .forEach((k, v) -> expectedMap.put(StringData.fromString(k.toString()), expected(type, v)));
                assertThat(normalize(row.getField(4))).as(what).isEqualTo(expectedMap);
                assertThat(normalize(row.getField(5)))
                        .as(what)
                        .isEqualTo(List.of(expected(type, ((GenericRecord) read.get("nested")).get("inner"))));
                // Iceberg reads every top-level column of the row the way its writers will.
                icebergView.wrap(row);
                for (int column = 0; column < 3; column++) {
                    icebergView.get(column, Object.class);
                }
            }
        }
    }

    @Test
    void unionsOfSeveralNonNullTypesAreRefusedNamingTheField() {
        org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser()
                .parse("{\"type\": \"record\", \"name\": \"R\", \"namespace\": \"t\", \"fields\": [{\"name\": \"leg\","
                        + " \"type\": {\"type\": \"record\", \"name\": \"Leg\", \"fields\": [{\"name\": \"gate\","
                        + " \"type\": [\"null\", \"string\", \"int\"]}]}}]}");

        assertThatThrownBy(() -> AvroSchemas.toIceberg(avro))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Field 't.R.leg.gate' is a union of several non-null types [string, int]");
    }

    @Test
    void recursiveRecordsAreRefusedNamingTheField() {
        org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser()
                .parse("{\"type\": \"record\", \"name\": \"Node\", \"fields\": [{\"name\": \"next\", \"type\":"
                        + " [\"null\", \"Node\"]}]}");

        assertThatThrownBy(() -> AvroSchemas.toIceberg(avro))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Field 'Node.next' is record Node again, inside itself");
    }

    /** The type itself the first time a named type appears in the schema, its name after that. */
    private static String reference(TypeCase type) {
        String json = type.avroType();
        int name = json.indexOf("\"name\": \"");
        if (name < 0) {
            return json;
        }
        int start = name + "\"name\": \"".length();
        return "\"" + json.substring(start, json.indexOf('"', start)) + "\"";
    }

    private static Object avroValue(org.apache.avro.Schema schema, TypeCase type, Random random) {
        Object value = type.random().apply(random);
        return switch (schema.getType()) {
            case ENUM -> new GenericData.EnumSymbol(schema, value);
            case FIXED -> new GenericData.Fixed(schema, (byte[]) value);
            default -> value;
        };
    }

    private static Object expected(TypeCase type, Object avroValue) {
        return avroValue == null ? null : normalize(type.flink().apply(avroValue));
    }

    /** Flink containers as lists and maps, byte arrays as buffers: values that compare by content. */
    private static Object normalize(Object value) {
        if (value instanceof byte[] bytes) {
            return ByteBuffer.wrap(bytes);
        }
        if (value instanceof GenericArrayData array) {
            List<Object> list = new ArrayList<>();
            for (Object element : array.toObjectArray()) {
                list.add(normalize(element));
            }
            return list;
        }
        if (value instanceof GenericMapData map) {
            Map<Object, Object> normalized = new HashMap<>();
            ArrayData keys = map.keyArray();
            ArrayData values = map.valueArray();
            for (int i = 0; i < map.size(); i++) {
                normalized.put(
                        normalize(((GenericArrayData) keys).toObjectArray()[i]),
                        normalize(((GenericArrayData) values).toObjectArray()[i]));
            }
            return normalized;
        }
        if (value instanceof GenericRowData row) {
            List<Object> fields = new ArrayList<>();
            for (int i = 0; i < row.getArity(); i++) {
                fields.add(normalize(row.getField(i)));
            }
            return fields;
        }
        return value;
    }

    /** Written by Avro and read back as the decoder reads it (no conversions: Utf8, ByteBuffer, GenericFixed). */
    private static GenericRecord roundTrip(GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(record.getSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
