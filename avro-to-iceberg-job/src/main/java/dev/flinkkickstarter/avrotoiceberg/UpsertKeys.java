package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.iceberg.PartitionSpecs;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableUtil;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Which tables the job upserts into, and by which key. A table not named here is append-only: every
 * record becomes a row. An upsert table holds one row per key, the latest by Kafka offset: each row
 * replaces the previous row of its key (Iceberg equality deletes on the key columns, format v2), and
 * a cancellation ({@value #CANCELLED_COLUMN} = true, or a Kafka tombstone) deletes it.
 *
 * <p>Upsert is off unless asked for: {@code --upsert-tables} names tables that use their default
 * key ({@link #DEFAULT_KEYS}), {@code all} names every table known at start (the listed topics' tables and
 * the flight table), and {@code --upsert-key.<namespace.table>=col1,col2} sets a table's key and turns
 * upsert on for it. With listed topics a table name the job does not write is refused (a typo would
 * silently append); with a topic pattern the tables are only known when their topics appear, so any
 * name is taken.
 *
 * <p>{@link #check} refuses a table whose partitioning would leave two rows of one key: Iceberg
 * applies an equality delete only to data files of the delete's own partition (or to every file when
 * the delete file is unpartitioned), so a partition column outside the key, such as the month of a
 * departure that an update re-times, would keep the old row in its old partition. Whether a column
 * never changes for a key cannot be known from the schema; a column that truly is stable can be added
 * to the key without changing which rows count as one booking.
 */
final class UpsertKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String UPSERT_TABLES = "upsert-tables";
    /** {@code --upsert-key.<namespace.table>=col1,col2}. */
    static final String UPSERT_KEY_PREFIX = "upsert-key.";

    static final String ALL = "all";
    static final String NONE = "none";

    /** A boolean column that, when true, makes the record a deletion of its key in an upsert table. */
    static final String CANCELLED_COLUMN = "cancelled";

    /** The booking reference of each airline's raw table, and airline + reference in the unified table. */
    static final Map<String, List<String>> DEFAULT_KEYS = Map.of(
            "airlines.skyone",
            List.of("confirmation"),
            "airlines.sunset",
            List.of("reference_number"),
            FlightMapping.DEFAULT_TABLE,
            List.of(FlightMapping.AIRLINE, FlightMapping.CONFIRMATION_CODE));

    /** Table name to its key columns, for the upsert tables only. */
    private final Map<String, List<String>> keys;

    private UpsertKeys(Map<String, List<String>> keys) {
        this.keys = keys;
    }

    /** Every table appends. */
    static UpsertKeys none() {
        return new UpsertKeys(Map.of());
    }

    /**
     * The upsert tables and their keys.
     *
     * @param upsertTables the value of {@code --upsert-tables}: table names, {@value #ALL} or
     *     {@value #NONE}
     * @param keyFlags {@code --upsert-key.<table>} values by table name
     * @param tables every table the job is known to write at start
     * @param moreTables whether the job may write tables not in {@code tables} (topics found by pattern)
     */
    static UpsertKeys parse(
            List<String> upsertTables,
            Map<String, String> keyFlags,
            Collection<TableIdentifier> tables,
            boolean moreTables) {
        checkNotNull(upsertTables, "upsertTables");
        checkNotNull(keyFlags, "keyFlags");
        checkNotNull(tables, "tables");
        Set<String> written = tables.stream().map(TableIdentifier::toString).collect(Collectors.toSet());

        Set<String> named = new LinkedHashSet<>();
        for (String name : upsertTables) {
            String table = name.trim();
            if (table.equalsIgnoreCase(ALL)) {
                tables.forEach(identifier -> named.add(identifier.toString()));
            } else if (!table.isEmpty() && !table.equalsIgnoreCase(NONE)) {
                checkArgument(
                        moreTables || written.contains(table),
                        "--%s names table '%s', which this job does not write; its tables: %s",
                        UPSERT_TABLES,
                        table,
                        new TreeSet<>(written));
                named.add(table);
            }
        }
        keyFlags.keySet()
                .forEach(table -> checkArgument(
                        moreTables || written.contains(table),
                        "--%s%s: this job does not write table '%s'; its tables: %s",
                        UPSERT_KEY_PREFIX,
                        table,
                        table,
                        new TreeSet<>(written)));
        named.addAll(keyFlags.keySet());

        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String table : named) {
            List<String> key = keyFlags.containsKey(table)
                    ? columns(table, keyFlags.get(table))
                    : DEFAULT_KEYS.get(table.toLowerCase(Locale.ROOT));
            checkArgument(
                    key != null,
                    "Table %s has no default upsert key: give it one with --%s%s=<column>[,<column>...]",
                    table,
                    UPSERT_KEY_PREFIX,
                    table);
            keys.put(table, key);
        }
        return new UpsertKeys(Map.copyOf(keys));
    }

    /** Whether rows of {@code table} replace earlier rows of their key. */
    boolean isUpsert(TableIdentifier table) {
        return keys.containsKey(table.toString());
    }

    /** The key columns of {@code table}; empty if the table appends. */
    Optional<List<String>> key(TableIdentifier table) {
        return Optional.ofNullable(keys.get(table.toString()));
    }

    /**
     * The partition spec text for {@code table} when no {@code --partition-spec} flag names it: none
     * for an upsert table (the month of departure is not part of the key, and an unpartitioned delete
     * reaches every data file), else {@code appendDefault}.
     */
    String defaultPartitionSpec(TableIdentifier table, String appendDefault) {
        return isUpsert(table) ? NONE : appendDefault;
    }

    /**
     * Fails with a message saying what to change if {@code table} cannot hold one row per key: it must
     * be format v2 or later, have every key column as a primitive, non-floating-point column, and be
     * partitioned by key columns only, in its current spec and, unless the current spec is
     * unpartitioned, in every earlier spec its files may still be written in.
     */
    void check(Table table, TableIdentifier identifier) {
        List<String> key = keys.get(identifier.toString());
        if (key == null) {
            return;
        }
        int formatVersion = TableUtil.formatVersion(table);
        checkArgument(
                formatVersion >= 2,
                "Upsert into %s needs Iceberg format version 2 or later (equality deletes), but the table is"
                        + " version %s: upgrade it (table property format-version=2) or leave it appending",
                identifier,
                formatVersion);
        Set<Integer> keyIds = keyFieldIds(identifier, table.schema(), key);
        List<String> problems = new ArrayList<>(partitionProblems(table.spec(), table.schema(), keyIds));
        if (!table.spec().isUnpartitioned()) {
            for (PartitionSpec earlier : table.specs().values()) {
                if (earlier.specId() != table.spec().specId()) {
                    partitionProblems(earlier, table.schema(), keyIds).stream()
                            .map(problem -> problem + " (earlier partition spec " + earlier.specId() + ")")
                            .forEach(problems::add);
                }
            }
        }
        checkArgument(
                problems.isEmpty(),
                "Upsert into %s by key %s needs every partition column to be a key column, but %s. An update that"
                        + " changes such a column writes the new row into another partition, and Iceberg's"
                        + " equality delete only reaches the old row in its own partition: the table would keep"
                        + " both. Partition by key columns (e.g. --%s%s=\"bucket(16, %s)\"), leave it unpartitioned"
                        + " (--%s%s=none; an existing table needs its spec changed, e.g. ALTER TABLE ... DROP"
                        + " PARTITION FIELD), or add the column to the key with --%s%s if it never changes for a key",
                identifier,
                key,
                String.join("; ", problems),
                TablePartitioning.FLAG_PREFIX,
                identifier,
                key.get(key.size() - 1),
                TablePartitioning.FLAG_PREFIX,
                identifier,
                UPSERT_KEY_PREFIX,
                identifier);
    }

    /**
     * The name-level form of {@link #check} for a table the sink may still create: fails if {@code specText}, the
     * partition spec text for {@code table}, partitions an upsert table by a column outside its key.
     */
    void checkPartitionSpecText(String table, String specText) {
        List<String> key = keys.get(table);
        if (key == null) {
            return;
        }
        List<String> outside = PartitionSpecs.sourceColumns(specText).stream()
                .filter(column -> !key.contains(column))
                .toList();
        checkArgument(
                outside.isEmpty(),
                "Upsert into %s by key %s needs every partition column to be a key column, but --%s%s='%s'"
                        + " partitions by %s. An update that changes such a column writes the new row into another"
                        + " partition, and Iceberg's equality delete only reaches the old row in its own partition:"
                        + " the table would keep both. Partition by key columns (e.g. bucket(16, %s)), give"
                        + " --%s%s=none, or add the column to the key with --%s%s if it never changes for a key",
                table,
                key,
                TablePartitioning.FLAG_PREFIX,
                table,
                specText,
                outside,
                key.get(key.size() - 1),
                TablePartitioning.FLAG_PREFIX,
                table,
                UPSERT_KEY_PREFIX,
                table);
    }

    private static Set<Integer> keyFieldIds(TableIdentifier identifier, Schema schema, List<String> key) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String column : key) {
            Types.NestedField field = schema.findField(column);
            checkArgument(
                    field != null,
                    "Upsert key column '%s' is not a column of %s; its columns: %s",
                    column,
                    identifier,
                    schema.columns().stream().map(Types.NestedField::name).toList());
            Type type = field.type();
            checkArgument(
                    type.isPrimitiveType() && type.typeId() != Type.TypeID.FLOAT && type.typeId() != Type.TypeID.DOUBLE,
                    "Upsert key column '%s' of %s is %s: a key column must be a primitive type other than float"
                            + " or double, whose values compare exactly",
                    column,
                    identifier,
                    type);
            ids.add(field.fieldId());
        }
        return ids;
    }

    private static List<String> partitionProblems(PartitionSpec spec, Schema schema, Set<Integer> keyIds) {
        List<String> problems = new ArrayList<>();
        for (PartitionField field : spec.fields()) {
            if (!keyIds.contains(field.sourceId())) {
                problems.add("partition field '" + field.name() + "' (" + field.transform() + " of '"
                        + schema.findColumnName(field.sourceId()) + "') is not");
            }
        }
        return problems;
    }

    private static List<String> columns(String table, String value) {
        List<String> columns = new ArrayList<>();
        for (String column : value.split(",")) {
            String name = column.trim();
            checkArgument(
                    !name.isEmpty() && !columns.contains(name),
                    "--%s%s takes distinct column names separated by commas but was '%s'",
                    UPSERT_KEY_PREFIX,
                    table,
                    value);
            columns.add(name);
        }
        return List.copyOf(columns);
    }

    @Override
    public String toString() {
        return keys.isEmpty() ? "append only" : "upsert " + new TreeMap<>(keys);
    }
}
