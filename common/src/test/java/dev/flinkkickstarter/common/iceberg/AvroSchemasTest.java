package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.SchemaBuilder;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class AvroSchemasTest {

    private static final org.apache.avro.Schema BOOKING = new org.apache.avro.Schema.Parser().parse("""
            {"type": "record", "name": "Booking", "fields": [
              {"name": "email", "type": "string"},
              {"name": "departure", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "boarding", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "seat", "type": ["null", "string"], "default": null},
              {"name": "legs", "type": {"type": "array", "items": {"type": "record", "name": "Leg", "fields": [
                {"name": "arrival", "type": {"type": "long", "logicalType": "timestamp-micros"}}]}}}
            ]}""");

    @Test
    void mapsLogicalTypesAndOptionality() {
        Schema schema = AvroSchemas.toIceberg(BOOKING);

        assertThat(schema.findField("email").type()).isEqualTo(Types.StringType.get());
        assertThat(schema.findField("email").isRequired()).isTrue();
        assertThat(schema.findField("departure").type()).isEqualTo(Types.TimestampType.withZone());
        // Iceberg has no mapping for Avro's local-timestamp-*: the column keeps the underlying long.
        assertThat(schema.findField("boarding").type()).isEqualTo(Types.LongType.get());
        assertThat(schema.findField("price").type()).isEqualTo(Types.DecimalType.of(10, 2));
        assertThat(schema.findField("day").type()).isEqualTo(Types.DateType.get());
        assertThat(schema.findField("seat").isOptional()).isTrue();
        assertThat(schema.findField("legs.element.arrival").type()).isEqualTo(Types.TimestampType.withZone());
    }

    @Test
    void keepsTheCallersSchemaUntouched() {
        String before = BOOKING.toString();

        AvroSchemas.toIceberg(BOOKING);

        assertThat(BOOKING.toString()).isEqualTo(before);
    }

    @Test
    void rejectsNonRecords() {
        assertThatThrownBy(() -> AvroSchemas.toIceberg(SchemaBuilder.builder().stringType()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRING");
    }
}
