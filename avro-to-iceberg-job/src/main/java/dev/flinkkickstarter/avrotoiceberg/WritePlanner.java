package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.LogicalTypeChanges;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.iceberg.AvroSchemas;
import dev.flinkkickstarter.common.iceberg.AvroToRowData;
import dev.flinkkickstarter.common.iceberg.IcebergTables;
import dev.flinkkickstarter.common.iceberg.PartitionSpecs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.annotation.Nullable;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out a {@link WritePlan} for a writer schema of a topic: called once per (topic, schema id), never per
 * record.
 *
 * <p>The writer schema's Iceberg form (plus Kafka lineage columns) is checked against the raw table's current
 * schema ({@link IcebergTables#writeIncompatibilities}) and against the logical types registered earlier for the
 * topic's subject ({@link LogicalTypeChanges}). If both agree, rows get the table's schema unioned by name with
 * the writer's ({@code unionByNameWith}: new optional columns, allowed promotions; columns the writer lacks
 * become optional), computed without committing anything: the sink commits the change before the first row that
 * needs it. Values are converted from the writer schema into that row schema, widening narrower writer types, so
 * a row schema is never narrower than the table: Iceberg 1.11's sink could not add a column and convert a type
 * for the same record.
 */
final class WritePlanner {

    private static final Logger LOG = LoggerFactory.getLogger(WritePlanner.class);

    private final Catalog catalog;
    private final SchemaRegistryClient registry;
    private final Function<String, String> partitionSpecs;

    @Nullable
    private final Schema flightSchema;

    WritePlanner(
            Catalog catalog,
            SchemaRegistryClient registry,
            Function<String, String> partitionSpecs,
            @Nullable Schema flightSchema) {
        this.catalog = checkNotNull(catalog, "catalog");
        this.registry = checkNotNull(registry, "registry");
        this.partitionSpecs = checkNotNull(partitionSpecs, "partitionSpecs");
        this.flightSchema = flightSchema;
    }

    /** The current schema of {@code route}'s table, loaded fresh; null if the table does not exist yet. */
    @Nullable
    Table loadTable(TopicRoute route) {
        try {
            return catalog.loadTable(route.table());
        } catch (NoSuchTableException | NoSuchNamespaceException e) {
            return null;
        }
    }

    /**
     * The plan for records of {@code route}'s topic written with {@code writer} (schema id {@code schemaId}), for
     * {@code table} as just loaded ({@link #loadTable}; null if absent).
     *
     * @throws IOException the registry did not answer
     */
    WritePlan plan(TopicRoute route, int schemaId, org.apache.avro.Schema writer, @Nullable Table table)
            throws IOException {
        String subject = ConfluentSchemaCoder.valueSubject(route.topic());
        List<String> problems = new ArrayList<>(LogicalTypeChanges.against(registry, subject, writer));
        Schema writerColumns;
        try {
            writerColumns = KafkaLineage.appendTo(AvroSchemas.toIceberg(writer));
        } catch (RuntimeException e) {
            return incompatible(route, schemaId, List.of("it has no Iceberg table form: " + e.getMessage()));
        }
        Schema rowSchema = writerColumns;
        PartitionSpec spec = null;
        if (table == null) {
            String specText = partitionSpecs.apply(route.table().toString());
            try {
                spec = PartitionSpecs.parse(specText, rowSchema);
            } catch (RuntimeException e) {
                problems.add(
                        "the partition spec '" + specText + "' of the new table does not fit it: " + e.getMessage());
            }
        } else {
            problems.addAll(IcebergTables.writeIncompatibilities(table.schema(), writerColumns));
            if (problems.isEmpty()) {
                rowSchema = rowSchema(table, writerColumns);
                spec = table.spec();
            }
        }
        if (!problems.isEmpty()) {
            return incompatible(route, schemaId, problems);
        }
        AvroToRowData converter;
        try {
            converter = AvroToRowData.forSchemas(rowSchema, writer);
        } catch (RuntimeException e) {
            return incompatible(route, schemaId, List.of(e.getMessage()));
        }
        FlightMapping.Mapper flightMapper = null;
        String flightMappingProblem = null;
        if (route.flightMapping() != null) {
            try {
                flightMapper = route.flightMapping().bind(rowSchema, checkNotNull(flightSchema, "flightSchema"));
            } catch (IllegalArgumentException e) {
                flightMappingProblem = "Records of topic '" + route.topic() + "' with schema id " + schemaId
                        + " cannot fill the unified flight table (their raw rows are written): " + e.getMessage();
                LOG.warn(flightMappingProblem);
            }
        }
        LOG.info(
                "Topic {}, schema id {}: rows of {} have schema {}", route.topic(), schemaId, route.table(), rowSchema);
        return WritePlan.writable(route.table(), rowSchema, spec, converter, flightMapper, flightMappingProblem);
    }

    private static WritePlan incompatible(TopicRoute route, int schemaId, List<String> problems) {
        String why = "Value in topic '" + route.topic() + "' was written with schema id " + schemaId
                + ", which table " + route.table() + " cannot take without changing a column's meaning: "
                + String.join("; ", problems);
        LOG.warn("{}. Its records go to the dead-letter topic.", why);
        return WritePlan.incompatible(why);
    }

    /**
     * {@code table}'s schema unioned by name with {@code writerColumns}, with every column the writer lacks made
     * optional (its new rows hold null there; it is never dropped). Nothing is committed.
     */
    private static Schema rowSchema(Table table, Schema writerColumns) {
        Schema current = table.schema();
        UpdateSchema update = table.updateSchema().unionByNameWith(writerColumns);
        for (Map.Entry<String, Integer> column :
                TypeUtil.indexByName(current.asStruct()).entrySet()) {
            String name = column.getKey();
            Types.NestedField field = current.findField(column.getValue());
            int dot = name.lastIndexOf('.');
            boolean parentWritten = dot < 0 || writerColumns.findField(name.substring(0, dot)) != null;
            if (field.isRequired() && parentWritten && writerColumns.findField(name) == null) {
                update.makeColumnOptional(name);
            }
        }
        return update.apply();
    }
}
