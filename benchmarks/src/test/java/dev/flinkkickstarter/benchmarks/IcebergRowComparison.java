package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Checks that another writer decoded the same records into the same values as the job: a few rows of its table,
 * found by their key in the job's table, column by column (every column both tables have).
 */
final class IcebergRowComparison {

    private static final int SAMPLE = 5;

    private IcebergRowComparison() {}

    static void checkSameValues(
            String warehouse, TableIdentifier table, String jobWarehouse, TableIdentifier jobTable, String keyColumn)
            throws IOException {
        Map<Object, Record> sample = new HashMap<>();
        List<String> columns = new ArrayList<>();
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse);
                HadoopCatalog jobCatalog = new HadoopCatalog(new Configuration(), jobWarehouse)) {
            Table other = catalog.loadTable(table);
            Table job = jobCatalog.loadTable(jobTable);
            for (Types.NestedField column : other.schema().columns()) {
                if (job.schema().findField(column.name()) != null) {
                    columns.add(column.name());
                }
            }
            checkState(columns.contains(keyColumn), "%s has no key column %s: %s", table, keyColumn, other.schema());
            try (CloseableIterable<Record> rows = IcebergGenerics.read(other).build()) {
                for (Record row : rows) {
                    sample.put(row.getField(keyColumn), row);
                    if (sample.size() == SAMPLE) {
                        break;
                    }
                }
            }
            checkState(sample.size() == SAMPLE, "%s has fewer than %s rows", table, SAMPLE);
            int matched = 0;
            try (CloseableIterable<Record> rows = IcebergGenerics.read(job)
                    .where(Expressions.in(keyColumn, sample.keySet().toArray()))
                    .build()) {
                for (Record jobRow : rows) {
                    Record row = sample.get(jobRow.getField(keyColumn));
                    for (String column : columns) {
                        Object expected = comparable(jobRow.getField(column));
                        Object actual = comparable(row.getField(column));
                        if (expected instanceof Instant && actual instanceof String millis) {
                            // Iceberg's KafkaMetadataTransform writes the record timestamp as epoch milliseconds.
                            actual = Instant.ofEpochMilli(Long.parseLong(millis));
                        }
                        checkState(
                                expected.equals(actual),
                                "%s and the job's %s differ in %s for %s=%s: %s vs %s",
                                table,
                                jobTable,
                                column,
                                keyColumn,
                                jobRow.getField(keyColumn),
                                actual,
                                expected);
                    }
                    matched++;
                }
            }
            checkState(
                    matched == SAMPLE,
                    "Found %s of %s sampled %s rows in the job's %s",
                    matched,
                    SAMPLE,
                    table,
                    jobTable);
        }
        System.out.printf(
                "%s: %d sampled rows have the job's values in all %d shared columns %s%n",
                table, SAMPLE, columns.size(), columns);
    }

    /** Timestamps as instants, whether a writer chose a zoned or a local timestamp column. */
    private static Object comparable(Object value) {
        if (value instanceof OffsetDateTime zoned) {
            return zoned.toInstant();
        }
        if (value instanceof LocalDateTime local) {
            return local.toInstant(ZoneOffset.UTC);
        }
        return String.valueOf(value);
    }
}
