package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.LogicalType;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.UUIDUtil;

/**
 * Converts Avro generic records into Flink {@link GenericRowData} laid out as an Iceberg schema,
 * the form Iceberg's Flink writers take.
 *
 * <p>Columns are matched by name, so the table may order its columns differently from the Avro
 * schema (evolution appends columns) and may have columns Avro lacks (left null for the caller,
 * e.g. Kafka lineage). Logical types keep their meaning and precision: {@code timestamp-micros}
 * stays microseconds, decimals keep their scale. Flink's own {@code AvroToRowDataConverters}
 * matches by position and reads every timestamp as milliseconds; Iceberg's copy of it takes the
 * relocated Avro classes, not the ones the job decodes with.
 *
 * <p>Build one per (table schema, Avro reader schema) pair, e.g. in a function's {@code open()}.
 */
public final class AvroToRowData {

    private final RecordConverter converter;

    private AvroToRowData(RecordConverter converter) {
        this.converter = converter;
    }

    /** A converter from records of {@code avroSchema} into rows of {@code icebergSchema}. */
    public static AvroToRowData forSchemas(Schema icebergSchema, org.apache.avro.Schema avroSchema) {
        checkNotNull(icebergSchema, "icebergSchema");
        checkNotNull(avroSchema, "avroSchema");
        return new AvroToRowData(new RecordConverter("", icebergSchema.asStruct(), avroSchema));
    }

    /**
     * The record as a row with one field per table column; columns absent from the Avro schema are
     * null. Throws {@link IllegalArgumentException} for a value the column cannot hold (e.g. a
     * decimal wider than the column).
     */
    public GenericRowData convert(IndexedRecord record) {
        checkNotNull(record, "record");
        return converter.convert(record);
    }

    @FunctionalInterface
    private interface ValueConverter {
        Object convert(Object avroValue);
    }

    private static final class RecordConverter implements ValueConverter {
        private final int[] avroPositions; // -1: the Avro record has no such field
        private final ValueConverter[] fieldConverters;

        RecordConverter(String path, Types.StructType struct, org.apache.avro.Schema avroSchema) {
            org.apache.avro.Schema record = nonNull(avroSchema);
            checkArgument(
                    record.getType() == org.apache.avro.Schema.Type.RECORD,
                    "Column '%s' is a struct but the Avro schema has a %s",
                    path,
                    record.getType());
            List<Types.NestedField> columns = struct.fields();
            avroPositions = new int[columns.size()];
            fieldConverters = new ValueConverter[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                Types.NestedField column = columns.get(i);
                org.apache.avro.Schema.Field field = record.getField(column.name());
                avroPositions[i] = field == null ? -1 : field.pos();
                fieldConverters[i] =
                        field == null ? null : converterFor(path + column.name(), column.type(), field.schema());
            }
        }

        @Override
        public GenericRowData convert(Object avroValue) {
            IndexedRecord record = (IndexedRecord) avroValue;
            GenericRowData row = new GenericRowData(avroPositions.length);
            for (int i = 0; i < avroPositions.length; i++) {
                if (avroPositions[i] >= 0) {
                    Object value = record.get(avroPositions[i]);
                    row.setField(i, value == null ? null : fieldConverters[i].convert(value));
                }
            }
            return row;
        }
    }

    private static ValueConverter converterFor(String path, Type type, org.apache.avro.Schema avroSchema) {
        org.apache.avro.Schema avro = nonNull(avroSchema);
        return switch (type.typeId()) {
            case BOOLEAN -> value -> (Boolean) value;
            case INTEGER -> value -> ((Number) value).intValue();
            case LONG -> value -> ((Number) value).longValue();
            case FLOAT -> value -> ((Number) value).floatValue();
            case DOUBLE -> value -> ((Number) value).doubleValue();
            case DATE -> value -> value instanceof LocalDate date ? (int) date.toEpochDay() : (Integer) value;
            case TIME -> timeConverter(avro);
            case TIMESTAMP, TIMESTAMP_NANO -> timestampConverter(avro);
            case STRING -> AvroToRowData::toStringData;
            case UUID -> AvroToRowData::toUuidBytes;
            case FIXED, BINARY -> AvroToRowData::toBytes;
            case DECIMAL -> decimalConverter(path, (Types.DecimalType) type);
            case STRUCT -> new RecordConverter(path + ".", type.asStructType(), avro);
            case LIST -> listConverter(path, type.asListType(), avro);
            case MAP -> mapConverter(path, type.asMapType(), avro);
            default ->
                throw new UnsupportedOperationException(
                        "Column '" + path + "' has Iceberg type " + type + ", which this converter does not support");
        };
    }

    /** Flink's TIME is milliseconds of the day (its Iceberg writer widens them to micros). */
    private static ValueConverter timeConverter(org.apache.avro.Schema avro) {
        boolean micros = "time-micros".equals(logicalTypeName(avro));
        return value -> {
            if (value instanceof LocalTime time) {
                return (int) (time.toNanoOfDay() / 1_000_000L);
            }
            return micros ? (int) (((Long) value) / 1_000L) : (Integer) value;
        };
    }

    private static ValueConverter timestampConverter(org.apache.avro.Schema avro) {
        String logicalType = logicalTypeName(avro);
        long unitsPerMilli;
        if (logicalType != null && logicalType.endsWith("-micros")) {
            unitsPerMilli = 1_000L;
        } else if (logicalType != null && logicalType.endsWith("-nanos")) {
            unitsPerMilli = 1_000_000L;
        } else {
            unitsPerMilli = 1L;
        }
        long nanosPerUnit = 1_000_000L / unitsPerMilli;
        return value -> {
            if (value instanceof Instant instant) {
                return TimestampData.fromInstant(instant);
            }
            if (value instanceof LocalDateTime dateTime) {
                return TimestampData.fromLocalDateTime(dateTime);
            }
            long units = (Long) value;
            return TimestampData.fromEpochMillis(
                    Math.floorDiv(units, unitsPerMilli), (int) (Math.floorMod(units, unitsPerMilli) * nanosPerUnit));
        };
    }

    private static ValueConverter decimalConverter(String path, Types.DecimalType type) {
        int precision = type.precision();
        int scale = type.scale();
        return value -> {
            BigDecimal decimal =
                    value instanceof BigDecimal big ? big : new BigDecimal(new BigInteger(toBytes(value)), scale);
            DecimalData data = DecimalData.fromBigDecimal(decimal, precision, scale);
            if (data == null) {
                throw new IllegalArgumentException(
                        "Value " + decimal + " of column '" + path + "' does not fit " + type);
            }
            return data;
        };
    }

    private static ValueConverter listConverter(String path, Types.ListType type, org.apache.avro.Schema avro) {
        ValueConverter element = converterFor(path + ".element", type.elementType(), avro.getElementType());
        return value -> {
            Collection<?> items = (Collection<?>) value;
            Object[] converted = new Object[items.size()];
            int i = 0;
            for (Object item : items) {
                converted[i++] = item == null ? null : element.convert(item);
            }
            return new GenericArrayData(converted);
        };
    }

    private static ValueConverter mapConverter(String path, Types.MapType type, org.apache.avro.Schema avro) {
        ValueConverter key = converterFor(
                path + ".key", type.keyType(), org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING));
        ValueConverter val = converterFor(path + ".value", type.valueType(), avro.getValueType());
        return value -> {
            Map<?, ?> entries = (Map<?, ?>) value;
            Map<Object, Object> converted = new HashMap<>(entries.size() * 2);
            entries.forEach((k, v) -> converted.put(key.convert(k), v == null ? null : val.convert(v)));
            return new GenericMapData(converted);
        };
    }

    private static StringData toStringData(Object value) {
        if (value instanceof Utf8 utf8) {
            // Copied: a decoder may reuse the Utf8's buffer for the next record.
            return StringData.fromBytes(Arrays.copyOf(utf8.getBytes(), utf8.getByteLength()));
        }
        return StringData.fromString(value.toString()); // String, or an enum symbol
    }

    /**
     * Iceberg's Flink row holds a uuid as its 16 big-endian bytes: what Avro's {@code fixed(16)} uuid
     * already is; a {@code string} uuid is parsed.
     */
    private static byte[] toUuidBytes(Object value) {
        if (value instanceof GenericFixed fixed) {
            return fixed.bytes().clone();
        }
        return UUIDUtil.convert(value instanceof UUID uuid ? uuid : UUID.fromString(value.toString()));
    }

    private static byte[] toBytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (value instanceof GenericFixed fixed) {
            return fixed.bytes().clone();
        }
        return ((byte[]) value).clone();
    }

    private static String logicalTypeName(org.apache.avro.Schema avro) {
        LogicalType logicalType = avro.getLogicalType();
        return logicalType == null ? null : logicalType.getName();
    }

    /** The non-null branch of an optional ({@code ["null", T]}) Avro schema; other schemas as they are. */
    private static org.apache.avro.Schema nonNull(org.apache.avro.Schema schema) {
        if (schema.getType() != org.apache.avro.Schema.Type.UNION) {
            return schema;
        }
        List<org.apache.avro.Schema> branches = schema.getTypes().stream()
                .filter(branch -> branch.getType() != org.apache.avro.Schema.Type.NULL)
                .toList();
        checkArgument(branches.size() == 1, "Avro unions of several non-null types are not supported: %s", schema);
        return branches.get(0);
    }
}
