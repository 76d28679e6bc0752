package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class FlightMappingTest {

    private static final Schema FLIGHT = KafkaLineage.appendTo(FlightMapping.FLIGHT_SCHEMA);

    /** The Sunset Air raw table as the job derives it from the datagen schema. */
    private static final Schema SUNSET = KafkaLineage.appendTo(new Schema(
            Types.NestedField.required(1, "customer_email_address", Types.StringType.get()),
            Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()),
            Types.NestedField.required(3, "departure_airport", Types.StringType.get()),
            Types.NestedField.required(4, "arrival_time", Types.TimestampType.withZone()),
            Types.NestedField.required(5, "arrival_airport", Types.StringType.get()),
            Types.NestedField.required(6, "flight_duration", Types.LongType.get()),
            Types.NestedField.required(7, "flight_id", Types.StringType.get()),
            Types.NestedField.required(8, "reference_number", Types.StringType.get()),
            Types.NestedField.required(9, "total_price", Types.DecimalType.of(10, 2)),
            Types.NestedField.required(10, "aircraft_details", Types.StringType.get())));

    @Test
    void mapsSunsetAirColumnsOntoTheUnifiedOnes() {
        GenericRowData raw = GenericRowData.of(
                StringData.fromString("ana@example.com"),
                TimestampData.fromEpochMillis(1_000L),
                StringData.fromString("LAX"),
                TimestampData.fromEpochMillis(2_000L),
                StringData.fromString("JFK"),
                330L,
                StringData.fromString("SUN0456"),
                StringData.fromString("REF123"),
                DecimalData.fromBigDecimal(new BigDecimal("321.09"), 10, 2),
                StringData.fromString("Boeing 787-9"),
                StringData.fromString("airline.sunset"),
                1,
                42L,
                TimestampData.fromEpochMillis(3_000L));

        GenericRowData flight = FlightMapping.SUNSET_AIR.bind(SUNSET, FLIGHT).map(raw);

        assertThat(column(flight, FlightMapping.AIRLINE)).isEqualTo(StringData.fromString("Sunset Air"));
        assertThat(column(flight, FlightMapping.EMAIL)).isEqualTo(StringData.fromString("ana@example.com"));
        assertThat(column(flight, FlightMapping.DEPARTURE_TIME)).isEqualTo(TimestampData.fromEpochMillis(1_000L));
        assertThat(column(flight, FlightMapping.DEPARTURE_AIRPORT)).isEqualTo(StringData.fromString("LAX"));
        assertThat(column(flight, FlightMapping.ARRIVAL_TIME)).isEqualTo(TimestampData.fromEpochMillis(2_000L));
        assertThat(column(flight, FlightMapping.ARRIVAL_AIRPORT)).isEqualTo(StringData.fromString("JFK"));
        assertThat(column(flight, FlightMapping.FLIGHT_NUMBER)).isEqualTo(StringData.fromString("SUN0456"));
        assertThat(column(flight, FlightMapping.CONFIRMATION_CODE)).isEqualTo(StringData.fromString("REF123"));
        assertThat(column(flight, FlightMapping.PRICE))
                .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("321.09"), 10, 2));
        assertThat(column(flight, FlightMapping.AIRCRAFT)).isEqualTo(StringData.fromString("Boeing 787-9"));
        assertThat(column(flight, KafkaLineage.TOPIC)).isEqualTo(StringData.fromString("airline.sunset"));
        assertThat(column(flight, KafkaLineage.PARTITION)).isEqualTo(1);
        assertThat(column(flight, KafkaLineage.OFFSET)).isEqualTo(42L);
    }

    @Test
    void rescalesPricesAndRejectsOnesThatDoNotFit() {
        Schema narrowPrice = KafkaLineage.appendTo(new Schema(
                Types.NestedField.required(1, "customer_email_address", Types.StringType.get()),
                Types.NestedField.required(2, "total_price", Types.DecimalType.of(12, 1))));
        FlightMapping.Mapper mapper = mapperWithOptionalColumnsOnly(narrowPrice);

        GenericRowData fits = mapper.map(rawWithPrice("12.5"));
        assertThat(column(fits, NARROW_FLIGHT, FlightMapping.PRICE))
                .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("12.50"), 10, 2));
        assertThatThrownBy(() -> mapper.map(rawWithPrice("12345678901.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @Test
    void failsAtBindTimeWhenTheRawTableLacksAMappedColumn() {
        Schema skyOneWithoutPrice = KafkaLineage.appendTo(
                new Schema(Types.NestedField.required(1, "email_address", Types.StringType.get())));

        assertThatThrownBy(() -> FlightMapping.SKY_ONE.bind(skyOneWithoutPrice, FLIGHT))
                .hasMessageContaining("Sky One: the raw table has no column 'flight_departure_time'");
    }

    @Test
    void failsAtBindTimeOnAnUnusableType() {
        Schema textPrices = KafkaLineage.appendTo(new Schema(
                Types.NestedField.required(1, "customer_email_address", Types.StringType.get()),
                Types.NestedField.required(2, "total_price", Types.StringType.get())));

        assertThatThrownBy(() -> mapperWithOptionalColumnsOnly(textPrices))
                .hasMessageContaining("raw column 'total_price' is string");
    }

    @Test
    void knowsBothAirlinesByFlagName() {
        assertThat(FlightMapping.named("skyone")).isSameAs(FlightMapping.SKY_ONE);
        assertThat(FlightMapping.named(" Sunset ")).isSameAs(FlightMapping.SUNSET_AIR);
        assertThatThrownBy(() -> FlightMapping.named("nope")).hasMessageContaining("Unknown flight mapping 'nope'");
    }

    /** A unified table with only airline, email and price, so that a two-column raw table can bind. */
    private static final Schema NARROW_FLIGHT = KafkaLineage.appendTo(new Schema(
            FlightMapping.FLIGHT_SCHEMA.findField(FlightMapping.AIRLINE),
            FlightMapping.FLIGHT_SCHEMA.findField(FlightMapping.EMAIL),
            FlightMapping.FLIGHT_SCHEMA.findField(FlightMapping.PRICE)));

    private static FlightMapping.Mapper mapperWithOptionalColumnsOnly(Schema raw) {
        return FlightMapping.SUNSET_AIR.bind(raw, NARROW_FLIGHT);
    }

    private static GenericRowData rawWithPrice(String price) {
        return GenericRowData.of(
                StringData.fromString("ana@example.com"),
                DecimalData.fromBigDecimal(new BigDecimal(price), 12, 1),
                StringData.fromString("airline.sunset"),
                0,
                7L,
                TimestampData.fromEpochMillis(0L));
    }

    private static Object column(GenericRowData row, String name) {
        return column(row, FLIGHT, name);
    }

    private static Object column(GenericRowData row, Schema schema, String name) {
        return row.getField(schema.columns().indexOf(schema.findField(name)));
    }
}
