package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.iceberg.IcebergTables;
import dev.flinkkickstarter.common.iceberg.PartitionSpecs;
import java.util.function.Function;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/** A table's partitioning, from its {@code --partition-spec.<namespace.table>} text (or that flag's default). */
final class TablePartitioning {

    /** {@code --partition-spec.<namespace.table>=<spec>}, e.g. {@code --partition-spec.airlines.flight=day(departure_time)}. */
    static final String FLAG_PREFIX = "partition-spec.";

    private TablePartitioning() {}

    /**
     * {@code table}'s partitioning from {@code specText}, checked against the table's spec if it exists: the job
     * never re-partitions a table, so a different spec stops it at start, naming both.
     */
    static Function<Schema, PartitionSpec> checked(Catalog catalog, TableIdentifier table, String specText) {
        Function<Schema, PartitionSpec> partitioning = tableSchema -> PartitionSpecs.parse(specText, tableSchema);
        IcebergTables.checkPartitioning(catalog, table, partitioning, "--" + FLAG_PREFIX + table);
        return partitioning;
    }
}
