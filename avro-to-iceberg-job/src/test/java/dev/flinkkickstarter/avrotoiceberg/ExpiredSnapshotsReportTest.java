package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.common.iceberg.IcebergTables;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpiredSnapshotsReportTest {

    private static final TableIdentifier BOOKINGS = TableIdentifier.of("airlines", "bookings");

    @TempDir
    Path warehouse;

    @Test
    void countsTheSnapshotsThatWentBetweenTwoTicks() {
        Catalog catalog = IcebergCatalogs.loader(
                        Map.of(IcebergCatalogs.WAREHOUSE, warehouse.toUri().toString()))
                .loadCatalog();
        Table table = IcebergTables.create(
                catalog,
                BOOKINGS,
                new Schema(Types.NestedField.required(1, "email", Types.StringType.get())),
                PartitionSpec.unpartitioned(),
                Map.of());
        CountingMetrics metrics = new CountingMetrics();
        ExpiredSnapshotsReport.TableStock stock = new ExpiredSnapshotsReport.TableStock(BOOKINGS, metrics);
        for (int commit = 0; commit < 5; commit++) {
            table.newFastAppend().commit();
        }

        assertThat(stock.update(catalog.loadTable(BOOKINGS)))
                .as("the first tick takes stock")
                .isZero();
        table.newFastAppend().commit();
        assertThat(stock.update(catalog.loadTable(BOOKINGS)))
                .as("a new snapshot is no expired one")
                .isZero();

        table.refresh();
        table.expireSnapshots()
                .expireOlderThan(System.currentTimeMillis() + 1)
                .retainLast(2)
                .commit();

        // 7 snapshots (the table's empty first one, 5, then 1 more); 2 retained.
        assertThat(stock.update(catalog.loadTable(BOOKINGS))).isEqualTo(5);
        assertThat(metrics.expiredSnapshots.getCount()).isEqualTo(5);
        assertThat(stock.update(catalog.loadTable(BOOKINGS))).isZero();
        assertThat(metrics.expiredSnapshots.getCount()).isEqualTo(5);
    }

    /** Hands out working counters (Flink's unregistered group does) and keeps the one named expiredSnapshots. */
    private static final class CountingMetrics extends UnregisteredMetricsGroup {
        private Counter expiredSnapshots;

        @Override
        public UnregisteredMetricsGroup addGroup(String key, String value) {
            return this;
        }

        @Override
        public UnregisteredMetricsGroup addGroup(String name) {
            return this;
        }

        @Override
        public Counter counter(String name) {
            Counter counter = super.counter(name);
            if (name.equals("expiredSnapshots")) {
                expiredSnapshots = counter;
            }
            return counter;
        }
    }
}
