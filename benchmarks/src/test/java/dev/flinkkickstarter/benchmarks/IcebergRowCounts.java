package dev.flinkkickstarter.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;

/**
 * Committed row counts of Iceberg tables in a Hadoop (file system) catalog, from their snapshot summaries.
 * Tables are loaded once and then refreshed, which re-reads their metadata only after a commit: loading
 * them afresh on every poll took up to half a core from the job being measured.
 */
final class IcebergRowCounts implements AutoCloseable {

    private final HadoopCatalog catalog;
    private final Map<TableIdentifier, Table> loaded = new HashMap<>();

    IcebergRowCounts(String warehouse) {
        this.catalog = new HadoopCatalog(new Configuration(), warehouse);
    }

    /** The rows in the current snapshot of each table, summed; a table not created yet counts 0. */
    long committedRows(Collection<TableIdentifier> tables) {
        return sum(tables, SnapshotSummary.TOTAL_RECORDS_PROP);
    }

    /** The data files in the current snapshot of each table, summed. */
    long dataFiles(Collection<TableIdentifier> tables) {
        return sum(tables, SnapshotSummary.TOTAL_DATA_FILES_PROP);
    }

    private long sum(Collection<TableIdentifier> tables, String summaryProperty) {
        long rows = 0;
        for (TableIdentifier identifier : tables) {
            Table table = loaded.get(identifier);
            if (table != null) {
                table.refresh();
            } else if (catalog.tableExists(identifier)) {
                table = catalog.loadTable(identifier);
                loaded.put(identifier, table);
            }
            Snapshot current = table == null ? null : table.currentSnapshot();
            if (current != null) {
                rows += Long.parseLong(current.summary().getOrDefault(summaryProperty, "0"));
            }
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
