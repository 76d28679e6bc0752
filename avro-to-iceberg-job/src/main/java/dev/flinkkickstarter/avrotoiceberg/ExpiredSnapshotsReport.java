package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, per table, the snapshots that have gone from the table since the last tick: the one maintenance figure
 * Iceberg 1.11's {@code ExpireSnapshots} task does not report (its results are files deleted). Only expiry removes
 * snapshots, so every snapshot seen at one tick and gone at the next was expired (by this job or any other
 * engine). A snapshot committed and expired between two ticks is not seen: with the job's floors (at least 5
 * snapshots kept) and ticks at the maintenance check interval, that takes more commits per interval than
 * retention keeps. After a restart the first tick only takes stock.
 *
 * <p>Per table: the counter {@code maintenance.tableName.<table>.expiredSnapshots}, the gauge {@code
 * maintenance.tableName.<table>.snapshots}, and a log line whenever snapshots went. A table that cannot be read
 * (catalog unreachable, table dropped) is skipped with a warning: a report never restarts ingestion.
 */
final class ExpiredSnapshotsReport extends ProcessFunction<Long, Void> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExpiredSnapshotsReport.class);

    private final CatalogLoader catalogLoader;
    /** Table names: Iceberg's TableIdentifier is not serializable. */
    private final List<String> tables;

    private transient Catalog catalog;
    private transient List<TableStock> stock;

    ExpiredSnapshotsReport(CatalogLoader catalogLoader, List<TableIdentifier> tables) {
        this.catalogLoader = checkNotNull(catalogLoader, "catalogLoader");
        this.tables = checkNotNull(tables, "tables").stream()
                .map(TableIdentifier::toString)
                .toList();
    }

    @Override
    public void open(OpenContext openContext) {
        catalog = catalogLoader.loadCatalog();
        stock = tables.stream()
                .map(table -> new TableStock(
                        TableIdentifier.parse(table), getRuntimeContext().getMetricGroup()))
                .toList();
    }

    @Override
    public void processElement(Long tick, Context context, Collector<Void> out) {
        for (TableStock table : stock) {
            try {
                table.update(catalog.loadTable(table.identifier));
            } catch (RuntimeException e) {
                LOG.warn(
                        "Cannot read Iceberg table {} to count its expired snapshots: {}",
                        table.identifier,
                        e.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (catalog instanceof Closeable closeable) {
            closeable.close();
        }
    }

    /** What the last tick saw of one table, and its metrics. */
    static final class TableStock {

        private final TableIdentifier identifier;
        private final Counter expiredSnapshots;
        private Set<Long> snapshotIds;

        TableStock(TableIdentifier identifier, MetricGroup metrics) {
            this.identifier = identifier;
            MetricGroup tableMetrics = metrics.addGroup("maintenance").addGroup("tableName", identifier.toString());
            this.expiredSnapshots = tableMetrics.counter("expiredSnapshots");
            tableMetrics.gauge("snapshots", () -> snapshotIds == null ? 0 : snapshotIds.size());
        }

        /** Takes stock of {@code table}; returns how many snapshots went since the last call (0 on the first). */
        long update(Table table) {
            Set<Long> now = new HashSet<>();
            for (Snapshot snapshot : table.snapshots()) {
                now.add(snapshot.snapshotId());
            }
            long expired = 0;
            if (snapshotIds != null) {
                for (long id : snapshotIds) {
                    if (!now.contains(id)) {
                        expired++;
                    }
                }
            }
            snapshotIds = now;
            if (expired > 0) {
                expiredSnapshots.inc(expired);
                LOG.info(
                        "Expired {} snapshots of Iceberg table {}: {} remain ({} expired since the job started)",
                        expired,
                        identifier,
                        now.size(),
                        expiredSnapshots.getCount());
            }
            return expired;
        }
    }
}
