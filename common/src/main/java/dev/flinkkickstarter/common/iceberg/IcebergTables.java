package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.Secrets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a table match the schema and properties the job writes with: creates namespace and table
 * when absent (format v2), and on later starts evolves the table by name when the source schema
 * gained columns and sets the given table properties where they differ.
 *
 * <p>Evolution only ever adds optional columns or widens types the way Iceberg allows ({@code int
 * -> long}, {@code float -> double}, wider decimals). Anything else would silently corrupt the table
 * or make every later write fail, so it stops the job before it starts, with an {@link
 * IncompatibleSchemaException} that names each offending column.
 */
public final class IcebergTables {

    private static final Logger LOG = LoggerFactory.getLogger(IcebergTables.class);

    private IcebergTables() {}

    /**
     * The table {@code identifier}, created with {@code schema}, {@code partitioning.apply(schema)} and
     * {@code tableProperties} if absent, else evolved to accept {@code schema}'s columns and given {@code
     * tableProperties}' values (its other properties are left alone).
     */
    public static Table createOrEvolve(
            Catalog catalog,
            TableIdentifier identifier,
            Schema schema,
            Function<Schema, PartitionSpec> partitioning,
            Map<String, String> tableProperties) {
        checkNotNull(catalog, "catalog");
        checkNotNull(identifier, "identifier");
        checkNotNull(schema, "schema");
        checkNotNull(partitioning, "partitioning");
        checkNotNull(tableProperties, "tableProperties");
        if (!catalog.tableExists(identifier)) {
            try {
                return create(catalog, identifier, schema, partitioning.apply(schema), tableProperties);
            } catch (AlreadyExistsException createdConcurrently) {
                LOG.info("Iceberg table {} was created concurrently; evolving it instead", identifier);
            }
        }
        Table table = catalog.loadTable(identifier);
        evolve(table, schema);
        updateProperties(table, tableProperties);
        ensureMainBranch(table);
        return table;
    }

    /**
     * Creates the table {@code identifier} (and its namespace if absent) with {@code schema}, {@code spec} and
     * {@code tableProperties}, in format v2 unless the properties say otherwise.
     *
     * @throws AlreadyExistsException the table exists (e.g. created concurrently)
     */
    public static Table create(
            Catalog catalog,
            TableIdentifier identifier,
            Schema schema,
            PartitionSpec spec,
            Map<String, String> tableProperties) {
        checkNotNull(catalog, "catalog");
        checkNotNull(identifier, "identifier");
        checkNotNull(schema, "schema");
        checkNotNull(spec, "spec");
        checkNotNull(tableProperties, "tableProperties");
        createNamespaceIfAbsent(catalog, identifier.namespace());
        Map<String, String> properties = new HashMap<>(tableProperties);
        // v2: row-level deletes and sequence numbers, what every current engine reads and writes.
        properties.putIfAbsent(TableProperties.FORMAT_VERSION, "2");
        // The table is created with an empty first snapshot, so that its main branch exists from its first metadata
        // on: see ensureMainBranch for why no writer may be left to create it.
        Transaction creation = catalog.newCreateTableTransaction(identifier, schema, spec, properties);
        creation.newFastAppend().commit();
        try {
            creation.commitTransaction();
        } catch (CommitFailedException e) {
            if (catalog.tableExists(identifier)) {
                throw new AlreadyExistsException(e, "Table was created concurrently: %s", identifier);
            }
            throw e;
        }
        Table table = catalog.loadTable(identifier);
        LOG.info("Created Iceberg table {} with schema {} and partition spec {}", identifier, schema, table.spec());
        return table;
    }

    /**
     * Gives {@code table} its main branch (an empty snapshot) if it has none, i.e. if nothing was ever committed to
     * it. Iceberg 1.11's dynamic sink creates a missing branch from each writer subtask that meets the table, and a
     * subtask whose cached metadata predates another subtask's creation of it fails with "Ref main already exists"
     * (the IllegalArgumentException of {@code createBranch}, which the sink's {@code TableUpdater} does not catch):
     * one job restart on every table that starts empty. A branch that exists before the job runs leaves the sink
     * nothing to create.
     */
    public static void ensureMainBranch(Table table) {
        checkNotNull(table, "table");
        if (table.refs().containsKey(SnapshotRef.MAIN_BRANCH)) {
            return;
        }
        try {
            table.manageSnapshots().createBranch(SnapshotRef.MAIN_BRANCH).commit();
            LOG.info("Created the main branch of Iceberg table {} (an empty snapshot)", table.name());
        } catch (CommitFailedException | IllegalArgumentException e) {
            table.refresh();
            if (!table.refs().containsKey(SnapshotRef.MAIN_BRANCH)) {
                throw e;
            }
        }
    }

    /**
     * Fails with a {@link PartitionSpecMismatchException} if {@code identifier} exists and is not
     * partitioned the way {@code partitioning} (applied to the table's schema) says; a table that does
     * not exist yet passes. The job never changes an existing table's partitioning by itself: evolving a
     * spec changes the layout of every later file (and queries filtering on the old fields) for all of
     * the table's readers, a decision for its owner, not a side effect of a flag.
     *
     * @param configuredAs how the user sets the desired spec (e.g. a flag name), for the error message
     */
    public static void checkPartitioning(
            Catalog catalog,
            TableIdentifier identifier,
            Function<Schema, PartitionSpec> partitioning,
            String configuredAs) {
        checkNotNull(catalog, "catalog");
        checkNotNull(identifier, "identifier");
        checkNotNull(partitioning, "partitioning");
        if (!catalog.tableExists(identifier)) {
            return;
        }
        Table table = catalog.loadTable(identifier);
        List<String> existing = describe(table.spec(), table.schema());
        List<String> desired = describe(partitioning.apply(table.schema()), table.schema());
        if (!existing.equals(desired)) {
            throw new PartitionSpecMismatchException(identifier, existing, desired, configuredAs);
        }
    }

    /** A spec as its terms, e.g. {@code [month(departure_time), bucket[16](id)]}; empty if unpartitioned. */
    static List<String> describe(PartitionSpec spec, Schema schema) {
        return spec.fields().stream()
                .map(field -> field.transform() + "(" + schema.findColumnName(field.sourceId()) + ")")
                .toList();
    }

    /** Sets each of {@code properties} on {@code table} whose value differs, in one commit. */
    public static void updateProperties(Table table, Map<String, String> properties) {
        Map<String, String> changed = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (!value.equals(table.properties().get(key))) {
                changed.put(key, value);
            }
        });
        if (changed.isEmpty()) {
            return;
        }
        UpdateProperties update = table.updateProperties();
        changed.forEach(update::set);
        update.commit();
        LOG.info("Set properties {} on Iceberg table {}", Secrets.redacted(changed), table.name());
        table.refresh();
    }

    /** Adds {@code desired}'s new columns to {@code table}; fails if {@code desired} is incompatible. */
    public static void evolve(Table table, Schema desired) {
        List<String> problems = incompatibilities(table.schema(), desired);
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(table.name(), problems);
        }
        Schema evolved = table.updateSchema().unionByNameWith(desired).apply();
        if (evolved.sameSchema(table.schema())) {
            return;
        }
        table.updateSchema().unionByNameWith(desired).commit();
        LOG.info("Evolved Iceberg table {} from {} to {}", table.name(), table.schema(), desired);
        table.refresh();
    }

    /** Why records of {@code desired} cannot be written to a table of {@code current}; empty if they can. */
    static List<String> incompatibilities(Schema current, Schema desired) {
        List<String> problems = new ArrayList<>();
        compareStructs("", current.asStruct(), desired.asStruct(), false, problems);
        return problems;
    }

    /**
     * Why records written with {@code writer} cannot go into a table of {@code current}, even after evolving it;
     * empty if they can. Unlike {@link #incompatibilities}, a column the writer lacks is fine (it becomes optional
     * and null for new rows), and so is a writer type that converts losslessly into the column's type, the
     * reverse of an Iceberg promotion ({@code int} into {@code long}, {@code float} into {@code double}, a
     * narrower decimal of the same scale): the value is widened, the column stays. Each problem names the
     * column and both types.
     */
    public static List<String> writeIncompatibilities(Schema current, Schema writer) {
        checkNotNull(current, "current");
        checkNotNull(writer, "writer");
        List<String> problems = new ArrayList<>();
        compareStructs("", current.asStruct(), writer.asStruct(), true, problems);
        return problems;
    }

    private static void compareStructs(
            String path,
            Types.StructType current,
            Types.StructType desired,
            boolean widenWriterTypes,
            List<String> problems) {
        for (Types.NestedField column : current.fields()) {
            String name = path + column.name();
            Types.NestedField wanted = desired.field(column.name());
            if (wanted == null) {
                if (column.isRequired() && !widenWriterTypes) {
                    problems.add("required column '" + name + "' (" + column.type()
                            + ") is missing from the new schema, so no new row could be written");
                }
            } else {
                compareTypes(name, column.type(), wanted.type(), widenWriterTypes, problems);
            }
        }
    }

    private static void compareTypes(
            String name, Type current, Type desired, boolean widenWriterTypes, List<String> problems) {
        if (current.isStructType() && desired.isStructType()) {
            compareStructs(name + ".", current.asStructType(), desired.asStructType(), widenWriterTypes, problems);
        } else if (current.isListType() && desired.isListType()) {
            compareTypes(
                    name + ".element",
                    current.asListType().elementType(),
                    desired.asListType().elementType(),
                    widenWriterTypes,
                    problems);
        } else if (current.isMapType() && desired.isMapType()) {
            compareTypes(
                    name + ".key",
                    current.asMapType().keyType(),
                    desired.asMapType().keyType(),
                    widenWriterTypes,
                    problems);
            compareTypes(
                    name + ".value",
                    current.asMapType().valueType(),
                    desired.asMapType().valueType(),
                    widenWriterTypes,
                    problems);
        } else if (current.isPrimitiveType() && desired.isPrimitiveType()) {
            boolean widened = widenWriterTypes && TypeUtil.isPromotionAllowed(desired, current.asPrimitiveType());
            if (!current.equals(desired)
                    && !widened
                    && !TypeUtil.isPromotionAllowed(current, desired.asPrimitiveType())) {
                problems.add("column '" + name + "' changes type from " + current + " to " + desired
                        + ", which Iceberg cannot promote");
            }
        } else {
            problems.add("column '" + name + "' changes type from " + current + " to " + desired);
        }
    }

    private static void createNamespaceIfAbsent(Catalog catalog, Namespace namespace) {
        if (namespace.isEmpty() || !(catalog instanceof SupportsNamespaces namespaces)) {
            return; // a catalog without namespaces creates tables anywhere
        }
        if (!namespaces.namespaceExists(namespace)) {
            try {
                namespaces.createNamespace(namespace);
                LOG.info("Created Iceberg namespace {}", namespace);
            } catch (AlreadyExistsException createdConcurrently) {
                // another job created it first: exactly what we wanted
            }
        }
    }

    /** The table cannot take the new schema's records without losing or corrupting data. */
    public static final class IncompatibleSchemaException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        IncompatibleSchemaException(String table, List<String> problems) {
            super("The registered schema is incompatible with Iceberg table " + table + ": "
                    + String.join("; ", problems)
                    + ". Only added optional fields and Iceberg type promotions (int->long, float->double,"
                    + " wider decimal) evolve a table. Register a compatible schema version, or write to"
                    + " a new table (map the topic to another table name) and migrate the old one.");
        }
    }

    /** An existing table is partitioned differently from the job's configuration. */
    public static final class PartitionSpecMismatchException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        PartitionSpecMismatchException(
                TableIdentifier table, List<String> existing, List<String> desired, String configuredAs) {
            super("Iceberg table " + table + " is partitioned by " + termsOrNone(existing) + " but " + configuredAs
                    + " asks for " + termsOrNone(desired) + ". The job does not change an existing table's"
                    + " partitioning: set " + configuredAs + " to the table's spec ("
                    + (existing.isEmpty() ? "none" : String.join(", ", existing).replaceAll("\\[(\\d+)\\]\\(", "($1, "))
                    + ") to keep it, or evolve the table yourself (Spark/Flink SQL: ALTER TABLE ... ADD/DROP/REPLACE"
                    + " PARTITION FIELD) and start the job with the new spec.");
        }

        private static String termsOrNone(List<String> terms) {
            return terms.isEmpty() ? "nothing (unpartitioned)" : String.join(", ", terms);
        }
    }
}
