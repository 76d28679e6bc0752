package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.avro.AvroSchemaUtil;

/**
 * Iceberg schemas derived from Avro schemas with Iceberg's own {@link AvroSchemaUtil}, so logical
 * types map the way Iceberg readers expect: {@code decimal} to {@code decimal(p, s)}, {@code date},
 * {@code time-*}, {@code timestamp-*} to {@code timestamptz}, {@code ["null", T]} to an optional
 * column. Iceberg has no mapping for {@code local-timestamp-*}: such columns stay {@code long}.
 *
 * <p>What {@link AvroToRowData} cannot convert is refused here, when the table is prepared, with the
 * field's path: a union of two or more non-null types (Iceberg would make it a struct, which no
 * Avro value fills) and recursive records.
 *
 * <p>{@code iceberg-flink-runtime} relocates Avro ({@code org.apache.iceberg.shaded.org.apache.avro}),
 * so {@link AvroSchemaUtil} cannot take the job's {@link org.apache.avro.Schema}. The schema crosses
 * over as its JSON text, which is Avro's own lossless interchange form; that keeps the job on the
 * single runtime jar instead of a dozen unshaded Iceberg modules with clashing transitive versions.
 */
public final class AvroSchemas {

    /** Iceberg's Avro property: true marks a timestamp as an instant (timestamptz). */
    private static final String ADJUST_TO_UTC = "adjust-to-utc";

    private AvroSchemas() {}

    /**
     * The Iceberg schema for records of {@code avroSchema}, which must be an Avro record.
     *
     * @throws IllegalArgumentException naming the field, for what no table column can hold
     */
    public static Schema toIceberg(org.apache.avro.Schema avroSchema) {
        checkNotNull(avroSchema, "avroSchema");
        checkArgument(
                avroSchema.getType() == org.apache.avro.Schema.Type.RECORD,
                "Only Avro records map to Iceberg tables, but the schema is a %s",
                avroSchema.getType());
        checkConvertible(avroSchema.getFullName(), avroSchema, new ArrayList<>());
        org.apache.iceberg.shaded.org.apache.avro.Schema shaded =
                new org.apache.iceberg.shaded.org.apache.avro.Schema.Parser().parse(avroSchema.toString());
        markTimestampsAsInstants(shaded, Collections.newSetFromMap(new IdentityHashMap<>()));
        return AvroSchemaUtil.toIceberg(shaded);
    }

    private static void checkConvertible(
            String path, org.apache.avro.Schema schema, List<org.apache.avro.Schema> enclosingRecords) {
        switch (schema.getType()) {
            case RECORD -> {
                for (org.apache.avro.Schema enclosing : enclosingRecords) {
                    checkArgument(
                            enclosing != schema,
                            "Field '%s' is record %s again, inside itself: a recursive schema cannot map to table"
                                    + " columns",
                            path,
                            schema.getFullName());
                }
                enclosingRecords.add(schema);
                for (org.apache.avro.Schema.Field field : schema.getFields()) {
                    checkConvertible(path + "." + field.name(), field.schema(), enclosingRecords);
                }
                enclosingRecords.remove(enclosingRecords.size() - 1);
            }
            case ARRAY -> checkConvertible(path + "[]", schema.getElementType(), enclosingRecords);
            case MAP -> checkConvertible(path + "{}", schema.getValueType(), enclosingRecords);
            case UNION -> {
                List<org.apache.avro.Schema> nonNull = schema.getTypes().stream()
                        .filter(branch -> branch.getType() != org.apache.avro.Schema.Type.NULL)
                        .toList();
                checkArgument(
                        nonNull.size() <= 1,
                        "Field '%s' is a union of several non-null types %s, which no table column holds: make it"
                                + " one type, optional as [\"null\", T] if need be",
                        path,
                        nonNull.stream().map(org.apache.avro.Schema::getName).toList());
                checkArgument(!nonNull.isEmpty(), "Field '%s' is always null: no table column type fits it", path);
                checkConvertible(path, nonNull.get(0), enclosingRecords);
            }
            case NULL ->
                throw new IllegalArgumentException("Field '" + path + "' is always null: no table column type fits it");
            default -> {}
        }
    }

    /**
     * Avro's {@code timestamp-millis/micros/nanos} are instants on the UTC time-line (the Avro spec;
     * {@code local-timestamp-*} are the zone-less ones), but Iceberg reads them as zone-less unless
     * the schema says {@code adjust-to-utc}. Saying it keeps the meaning: {@code timestamptz}.
     */
    private static void markTimestampsAsInstants(
            org.apache.iceberg.shaded.org.apache.avro.Schema schema,
            Set<org.apache.iceberg.shaded.org.apache.avro.Schema> visited) {
        if (!visited.add(schema)) {
            return; // recursive records
        }
        switch (schema.getType()) {
            case RECORD -> schema.getFields().forEach(field -> markTimestampsAsInstants(field.schema(), visited));
            case UNION -> schema.getTypes().forEach(branch -> markTimestampsAsInstants(branch, visited));
            case ARRAY -> markTimestampsAsInstants(schema.getElementType(), visited);
            case MAP -> markTimestampsAsInstants(schema.getValueType(), visited);
            case LONG -> {
                String logicalType = schema.getLogicalType() == null
                        ? null
                        : schema.getLogicalType().getName();
                if (logicalType != null
                        && logicalType.startsWith("timestamp-")
                        && schema.getObjectProp(ADJUST_TO_UTC) == null) {
                    schema.addProp(ADJUST_TO_UTC, true);
                }
            }
            default -> {}
        }
    }
}
