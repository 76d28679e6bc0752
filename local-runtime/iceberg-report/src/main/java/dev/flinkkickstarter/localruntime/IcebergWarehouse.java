package dev.flinkkickstarter.localruntime;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The tables the local runtime's ingestion job writes to (a {@code hadoop} catalog on a local
 * directory, or with {@code --warehouse s3} a REST catalog on S3), read as a user of the tables sees
 * them: only committed snapshots count.
 */
public final class IcebergWarehouse {

    private final Catalog catalog;

    private IcebergWarehouse(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The warehouse at a directory or a {@code file:} URI. */
    public static IcebergWarehouse at(String location) {
        requireNonNull(location, "location");
        return new IcebergWarehouse(new HadoopCatalog(new Configuration(), location));
    }

    /**
     * The tables of the catalog Iceberg's catalog properties describe ({@code type=rest}, {@code uri},
     * {@code io-impl}, {@code s3.endpoint}, ...), e.g. the REST catalog of {@code local-stack.sh
     * --warehouse s3}; S3 credentials come from the AWS SDK's defaults (the {@code AWS_*} variables).
     */
    public static IcebergWarehouse catalog(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        return new IcebergWarehouse(CatalogUtil.buildIcebergCatalog("report", properties, new Configuration()));
    }

    public boolean exists(String table) {
        return catalog.tableExists(TableIdentifier.parse(table));
    }

    /**
     * Rows in the table's current snapshot, from the snapshot summary (no data file is read); 0 while
     * the table does not exist or has no commit yet.
     */
    public long rowCount(String table) {
        if (!exists(table)) {
            return 0;
        }
        Snapshot snapshot = load(table).currentSnapshot();
        if (snapshot == null) {
            return 0;
        }
        Map<String, String> summary = snapshot.summary();
        return Long.parseLong(summary.getOrDefault(SnapshotSummary.TOTAL_RECORDS_PROP, "0"));
    }

    /** Up to {@code limit} rows of the current snapshot, read from the data files. */
    public List<Record> rows(String table, int limit) {
        List<Record> rows = new ArrayList<>();
        if (!exists(table) || limit <= 0) {
            return rows;
        }
        try (CloseableIterable<Record> records =
                IcebergGenerics.read(load(table)).build()) {
            for (Record record : records) {
                rows.add(record.copy());
                if (rows.size() == limit) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read Iceberg table " + table, e);
        }
        return rows;
    }

    /** Every row of the current snapshot. */
    public List<Record> rows(String table) {
        return rows(table, Integer.MAX_VALUE);
    }

    private Table load(String table) {
        return catalog.loadTable(TableIdentifier.parse(table));
    }
}
