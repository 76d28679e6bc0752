package dev.flinkkickstarter.benchmarks;

import java.util.Collection;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;

/** Committed row counts of Iceberg tables in a Hadoop (file system) catalog, from their snapshot summaries. */
final class IcebergRowCounts implements AutoCloseable {

    private final HadoopCatalog catalog;

    IcebergRowCounts(String warehouse) {
        this.catalog = new HadoopCatalog(new Configuration(), warehouse);
    }

    /** The rows in the current snapshot of each table, summed; a table not created yet counts 0. */
    long committedRows(Collection<TableIdentifier> tables) {
        long rows = 0;
        for (TableIdentifier table : tables) {
            if (catalog.tableExists(table)) {
                Snapshot current = catalog.loadTable(table).currentSnapshot();
                if (current != null) {
                    rows += Long.parseLong(current.summary().getOrDefault(SnapshotSummary.TOTAL_RECORDS_PROP, "0"));
                }
            }
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
