package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.iceberg.AvroToRowData;
import javax.annotation.Nullable;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * How the records of one writer schema of one topic become rows, worked out once per (topic, schema id) by
 * {@link WritePlanner}: either why they cannot ({@link #incompatibility()}, every such record is a dead letter),
 * or the schema their rows have (the table's schema, evolved by name to take the writer's fields), the
 * conversion into such rows and, for topics that feed the unified table, the flight mapping bound to that
 * schema.
 */
final class WritePlan {

    @Nullable
    private final String incompatibility;

    @Nullable
    private final TableIdentifier table;

    @Nullable
    private final Schema rowSchema;

    @Nullable
    private final PartitionSpec spec;

    @Nullable
    private final AvroToRowData converter;

    @Nullable
    private final KafkaLineage lineage;

    @Nullable
    private final FlightMapping.Mapper flightMapper;

    @Nullable
    private final String flightMappingProblem;

    private WritePlan(
            @Nullable String incompatibility,
            @Nullable TableIdentifier table,
            @Nullable Schema rowSchema,
            @Nullable PartitionSpec spec,
            @Nullable AvroToRowData converter,
            @Nullable FlightMapping.Mapper flightMapper,
            @Nullable String flightMappingProblem) {
        this.incompatibility = incompatibility;
        this.table = table;
        this.rowSchema = rowSchema;
        this.spec = spec;
        this.converter = converter;
        this.lineage = rowSchema == null ? null : KafkaLineage.in(rowSchema);
        this.flightMapper = flightMapper;
        this.flightMappingProblem = flightMappingProblem;
    }

    /** Records of this writer schema cannot be written without changing a column's meaning; {@code why} says how. */
    static WritePlan incompatible(String why) {
        return new WritePlan(checkNotNull(why, "why"), null, null, null, null, null, null);
    }

    /**
     * Records become rows of {@code rowSchema} for {@code table}; flight rows come from {@code flightMapper}, or,
     * if it is null and {@code flightMappingProblem} is not, cannot be made for any record of this schema.
     */
    static WritePlan writable(
            TableIdentifier table,
            Schema rowSchema,
            PartitionSpec spec,
            AvroToRowData converter,
            @Nullable FlightMapping.Mapper flightMapper,
            @Nullable String flightMappingProblem) {
        return new WritePlan(
                null,
                checkNotNull(table, "table"),
                checkNotNull(rowSchema, "rowSchema"),
                checkNotNull(spec, "spec"),
                checkNotNull(converter, "converter"),
                flightMapper,
                flightMappingProblem);
    }

    @Nullable
    String incompatibility() {
        return incompatibility;
    }

    TableIdentifier table() {
        return table;
    }

    /** The schema handed to the sink with every row: the sink evolves the table to it if needed. */
    Schema rowSchema() {
        return rowSchema;
    }

    PartitionSpec spec() {
        return spec;
    }

    AvroToRowData converter() {
        return converter;
    }

    KafkaLineage lineage() {
        return lineage;
    }

    @Nullable
    FlightMapping.Mapper flightMapper() {
        return flightMapper;
    }

    @Nullable
    String flightMappingProblem() {
        return flightMappingProblem;
    }
}
