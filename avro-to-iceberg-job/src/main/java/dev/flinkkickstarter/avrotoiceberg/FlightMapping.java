package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * How one airline's bookings map onto the unified {@code airlines.flight} table: which column of
 * the airline's raw table fills each unified column. Both airlines sell the same thing under
 * different names; the mapping is data, so adding an airline is one more constant.
 */
final class FlightMapping implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The unified table unless {@code --flight-table} names another. */
    static final String DEFAULT_TABLE = "airlines.flight";

    static final String AIRLINE = "airline";
    static final String EMAIL = "email_address";
    static final String DEPARTURE_TIME = "departure_time";
    static final String DEPARTURE_AIRPORT = "departure_airport";
    static final String ARRIVAL_TIME = "arrival_time";
    static final String ARRIVAL_AIRPORT = "arrival_airport";
    static final String FLIGHT_NUMBER = "flight_number";
    static final String CONFIRMATION_CODE = "confirmation_code";
    static final String PRICE = "price";
    static final String AIRCRAFT = "aircraft";
    /** Copied from the raw column of the same name, where the airline's schema has it. */
    static final String CANCELLED = UpsertKeys.CANCELLED_COLUMN;

    /** Unified prices: US dollars with cents, wide enough for any ticket. */
    static final Types.DecimalType PRICE_TYPE = Types.DecimalType.of(10, 2);

    /** The unified table's columns before the Kafka lineage columns. */
    static final Schema FLIGHT_SCHEMA = new Schema(
            Types.NestedField.required(1, AIRLINE, Types.StringType.get(), "Airline that sold the booking"),
            Types.NestedField.optional(2, EMAIL, Types.StringType.get(), "Passenger's email address"),
            Types.NestedField.optional(3, DEPARTURE_TIME, Types.TimestampType.withZone(), "Scheduled departure"),
            Types.NestedField.optional(
                    4, DEPARTURE_AIRPORT, Types.StringType.get(), "IATA code of the departure airport"),
            Types.NestedField.optional(5, ARRIVAL_TIME, Types.TimestampType.withZone(), "Scheduled arrival"),
            Types.NestedField.optional(6, ARRIVAL_AIRPORT, Types.StringType.get(), "IATA code of the arrival airport"),
            Types.NestedField.optional(7, FLIGHT_NUMBER, Types.StringType.get(), "Flight number"),
            Types.NestedField.optional(8, CONFIRMATION_CODE, Types.StringType.get(), "Booking confirmation code"),
            Types.NestedField.optional(9, PRICE, PRICE_TYPE, "Price paid, US dollars"),
            Types.NestedField.optional(10, AIRCRAFT, Types.StringType.get(), "Aircraft type"),
            Types.NestedField.optional(11, CANCELLED, Types.BooleanType.get(), "True for a cancellation"));

    static final FlightMapping SKY_ONE = new FlightMapping(
            "Sky One",
            Map.of(
                    EMAIL, "email_address",
                    DEPARTURE_TIME, "flight_departure_time",
                    DEPARTURE_AIRPORT, "iata_departure_code",
                    ARRIVAL_TIME, "flight_arrival_time",
                    ARRIVAL_AIRPORT, "iata_arrival_code",
                    FLIGHT_NUMBER, "flight_number",
                    CONFIRMATION_CODE, "confirmation",
                    PRICE, "ticket_price",
                    AIRCRAFT, "aircraft"));

    static final FlightMapping SUNSET_AIR = new FlightMapping(
            "Sunset Air",
            Map.of(
                    EMAIL, "customer_email_address",
                    DEPARTURE_TIME, "departure_time",
                    DEPARTURE_AIRPORT, "departure_airport",
                    ARRIVAL_TIME, "arrival_time",
                    ARRIVAL_AIRPORT, "arrival_airport",
                    FLIGHT_NUMBER, "flight_id",
                    CONFIRMATION_CODE, "reference_number",
                    PRICE, "total_price",
                    AIRCRAFT, "aircraft_details"));

    /** The mappings by the name used in the {@code --flight-mapping} flag. */
    static final Map<String, FlightMapping> BY_NAME = Map.of("skyone", SKY_ONE, "sunset", SUNSET_AIR);

    private final String airline;
    /** Unified column name to raw column name. */
    private final Map<String, String> sourceColumns;

    private FlightMapping(String airline, Map<String, String> sourceColumns) {
        this.airline = airline;
        this.sourceColumns = new LinkedHashMap<>(sourceColumns);
    }

    static FlightMapping named(String name) {
        FlightMapping mapping = BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
        checkArgument(mapping != null, "Unknown flight mapping '%s'; known: %s", name, BY_NAME.keySet());
        return mapping;
    }

    /** The raw column that fills unified column {@code unifiedColumn}: a mapped one, else the same name. */
    String sourceColumn(String unifiedColumn) {
        return sourceColumns.getOrDefault(unifiedColumn, unifiedColumn);
    }

    @Override
    public String toString() {
        return "FlightMapping{" + airline + "}";
    }

    /**
     * A mapper from rows of the raw table {@code rawSchema} to rows of the unified table {@code
     * flightSchema} (both with lineage columns). Fails now, not per record, if the raw table lacks a
     * column the mapping reads or has it with an unusable type.
     */
    Mapper bind(Schema rawSchema, Schema flightSchema) {
        checkNotNull(rawSchema, "rawSchema");
        checkNotNull(flightSchema, "flightSchema");
        RowType rawRowType = FlinkSchemaUtil.convert(rawSchema);
        List<Types.NestedField> flightColumns = flightSchema.columns();
        RowData.FieldGetter[] getters = new RowData.FieldGetter[flightColumns.size()];
        boolean[] isPrice = new boolean[flightColumns.size()];
        int airlinePosition = -1;
        for (int i = 0; i < flightColumns.size(); i++) {
            Types.NestedField column = flightColumns.get(i);
            if (column.name().equals(AIRLINE)) {
                airlinePosition = i;
                continue;
            }
            // Lineage columns and columns added to the unified table later copy a same-named raw column.
            String source = sourceColumn(column.name());
            Types.NestedField sourceColumn = rawSchema.findField(source);
            if (sourceColumn == null) {
                checkArgument(
                        column.isOptional() && !sourceColumns.containsKey(column.name()),
                        "%s: the raw table has no column '%s' for unified column '%s'; raw columns: %s",
                        airline,
                        source,
                        column.name(),
                        rawRowType.getFieldNames());
                continue;
            }
            checkArgument(
                    compatible(sourceColumn.type(), column.type()),
                    "%s: raw column '%s' is %s, which cannot fill unified column '%s' (%s)",
                    airline,
                    source,
                    sourceColumn.type(),
                    column.name(),
                    column.type());
            int position = rawRowType.getFieldIndex(source);
            getters[i] = RowData.createFieldGetter(rawRowType.getTypeAt(position), position);
            isPrice[i] = column.type().typeId() == Type.TypeID.DECIMAL;
        }
        checkArgument(airlinePosition >= 0, "The unified table has no '%s' column", AIRLINE);
        return new Mapper(StringData.fromString(airline), airlinePosition, getters, isPrice, flightSchema);
    }

    private static boolean compatible(Type source, Type target) {
        if (target.typeId() == Type.TypeID.DECIMAL) {
            return source.typeId() == Type.TypeID.DECIMAL; // rescaled per value, see Mapper
        }
        if (target.typeId() == Type.TypeID.TIMESTAMP) {
            return source.typeId() == Type.TypeID.TIMESTAMP;
        }
        return source.equals(target);
    }

    /** Maps raw rows of one airline to unified rows. Not serializable: build it in {@code open()}. */
    static final class Mapper {
        private final StringData airline;
        private final int airlinePosition;
        private final RowData.FieldGetter[] getters;
        private final boolean[] isDecimal;
        private final Types.DecimalType[] decimalTypes;

        private Mapper(
                StringData airline,
                int airlinePosition,
                RowData.FieldGetter[] getters,
                boolean[] isDecimal,
                Schema flightSchema) {
            this.airline = airline;
            this.airlinePosition = airlinePosition;
            this.getters = getters;
            this.isDecimal = isDecimal;
            this.decimalTypes = new Types.DecimalType[getters.length];
            for (int i = 0; i < getters.length; i++) {
                if (isDecimal[i]) {
                    decimalTypes[i] =
                            (Types.DecimalType) flightSchema.columns().get(i).type();
                }
            }
        }

        /**
         * The unified row for {@code raw}. Throws {@link IllegalArgumentException} if a price does
         * not fit the unified decimal type.
         */
        GenericRowData map(RowData raw) {
            GenericRowData row = new GenericRowData(getters.length);
            row.setField(airlinePosition, airline);
            for (int i = 0; i < getters.length; i++) {
                if (getters[i] == null) {
                    continue;
                }
                Object value = getters[i].getFieldOrNull(raw);
                row.setField(i, isDecimal[i] && value != null ? rescale((DecimalData) value, decimalTypes[i]) : value);
            }
            return row;
        }

        private static DecimalData rescale(DecimalData value, Types.DecimalType type) {
            if (value.precision() == type.precision() && value.scale() == type.scale()) {
                return value;
            }
            DecimalData rescaled = DecimalData.fromBigDecimal(
                    value.toBigDecimal().setScale(type.scale(), RoundingMode.UNNECESSARY),
                    type.precision(),
                    type.scale());
            checkArgument(rescaled != null, "Price %s does not fit the unified %s", value, type);
            return rescaled;
        }
    }
}
