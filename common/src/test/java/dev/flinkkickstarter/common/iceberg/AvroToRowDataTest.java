package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class AvroToRowDataTest {

    private static final org.apache.avro.Schema AVRO = new org.apache.avro.Schema.Parser().parse("""
            {"type": "record", "name": "Booking", "fields": [
              {"name": "email", "type": "string"},
              {"name": "departure", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "boarded", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "seat", "type": ["null", "string"], "default": null},
              {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["ECONOMY", "BUSINESS"]}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "extras", "type": {"type": "map", "values": "int"}},
              {"name": "leg", "type": {"type": "record", "name": "Leg", "fields": [{"name": "stop", "type": "string"}]}}
            ]}""");

    /** The table: the Avro columns in another order, plus a column Avro does not have. */
    private static final Schema TABLE = reordered(AvroSchemas.toIceberg(AVRO));

    private static Schema reordered(Schema derived) {
        List<Types.NestedField> columns = new java.util.ArrayList<>(derived.columns());
        java.util.Collections.reverse(columns);
        columns.add(Types.NestedField.optional(100, "kafka_offset", Types.LongType.get()));
        return new Schema(columns);
    }

    @Test
    void convertsByNameKeepingLogicalTypes() {
        GenericRecord record = booking("12345678.90", "a@example.com");
        record.put("seat", new Utf8("12A"));

        GenericRowData row = AvroToRowData.forSchemas(TABLE, AVRO).convert(record);

        assertThat(row.getArity()).isEqualTo(TABLE.columns().size());
        assertThat(field(row, "email")).isEqualTo(StringData.fromString("a@example.com"));
        assertThat(field(row, "departure")).isEqualTo(TimestampData.fromEpochMillis(1_700_000_000_123L));
        assertThat(((TimestampData) field(row, "boarded")).toInstant())
                .isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 123_456_000L));
        assertThat(field(row, "price")).isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("12345678.90"), 10, 2));
        assertThat(field(row, "seat")).isEqualTo(StringData.fromString("12A"));
        assertThat(field(row, "kind")).isEqualTo(StringData.fromString("BUSINESS"));
        assertThat(((org.apache.flink.table.data.ArrayData) field(row, "tags")).getString(1))
                .isEqualTo(StringData.fromString("window"));
        assertThat(((org.apache.flink.table.data.MapData) field(row, "extras")).size())
                .isEqualTo(1);
        assertThat(((GenericRowData) field(row, "leg")).getField(0)).isEqualTo(StringData.fromString("DEN"));
        assertThat(field(row, "kafka_offset")).isNull();
    }

    @Test
    void nullOptionalStaysNull() {
        GenericRowData row = AvroToRowData.forSchemas(TABLE, AVRO).convert(booking("1.00", "b@example.com"));

        assertThat(field(row, "seat")).isNull();
    }

    @Test
    void decimalWiderThanTheColumnIsRejected() {
        AvroToRowData converter = AvroToRowData.forSchemas(TABLE, AVRO);

        assertThatThrownBy(() -> converter.convert(booking("123456789012.00", "c@example.com")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit decimal(10, 2)");
    }

    private static Object field(GenericRowData row, String column) {
        return row.getField(TABLE.columns().indexOf(TABLE.findField(column)));
    }

    private static GenericRecord booking(String price, String email) {
        GenericRecord leg = new GenericData.Record(AVRO.getField("leg").schema());
        leg.put("stop", "DEN");
        GenericRecord record = new GenericData.Record(AVRO);
        record.put("email", new Utf8(email));
        record.put("departure", 1_700_000_000_123L);
        record.put("boarded", 1_700_000_000_123_456L);
        record.put(
                "price", ByteBuffer.wrap(new BigDecimal(price).unscaledValue().toByteArray()));
        record.put("kind", new GenericData.EnumSymbol(AVRO.getField("kind").schema(), "BUSINESS"));
        record.put("tags", List.of(new Utf8("aisle"), new Utf8("window")));
        record.put("extras", Map.of(new Utf8("bags"), 2));
        record.put("leg", leg);
        return record;
    }
}
