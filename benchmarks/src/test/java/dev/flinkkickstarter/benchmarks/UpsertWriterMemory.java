package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.RowDataTaskWriterFactory;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.Types;

/**
 * Heap an Iceberg writer subtask holds against the distinct keys it writes in one checkpoint, in
 * append and in upsert mode. In upsert mode Iceberg's writer ({@code BaseEqualityDeltaWriter})
 * remembers every key written since the last checkpoint with its file position ({@code
 * insertedRowMap}), so that a second version of a key in the same checkpoint deletes the first by
 * position; the map is cleared when the checkpoint's files are completed. Both modes also buffer the
 * open Parquet row group, so the difference between them is the map. Run in its own JVM by {@link
 * PipelineBenchmark} (step {@code upsert-memory}) with a warehouse directory and the comma-separated key counts as
 * arguments; prints a result line {@code UPSERT-MEMORY keys=<n> append=<bytes> upsert=<bytes>} per key count.
 */
final class UpsertWriterMemory {

    /** A booking row: the key is a 17-character booking reference, as the generator makes them. */
    private static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "confirmation", Types.StringType.get()),
            Types.NestedField.required(2, "email_address", Types.StringType.get()),
            Types.NestedField.required(3, "flight_departure_time", Types.TimestampType.withZone()),
            Types.NestedField.required(4, "ticket_price", Types.DecimalType.of(10, 2)),
            Types.NestedField.required(5, "kafka_offset", Types.LongType.get()));

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private UpsertWriterMemory() {}

    public static void main(String[] args) throws Exception {
        Catalog catalog = IcebergCatalogs.loader(Map.of(
                        IcebergCatalogs.WAREHOUSE, Paths.get(args[0]).toUri().toString()))
                .loadCatalog();
        Table table = catalog.createTable(
                TableIdentifier.parse("bench.bookings"),
                SCHEMA,
                PartitionSpec.unpartitioned(),
                Map.of("format-version", "2", "parquet.enable.dictionary", "false"));
        for (String value : args[1].split(",")) {
            int keys = Integer.parseInt(value.trim());
            measure(table, keys, false); // warm-up: class loading and JIT out of the figures
            long append = measure(table, keys, false);
            long upsert = measure(table, keys, true);
            System.out.printf(Locale.ROOT, "UPSERT-MEMORY keys=%d append=%d upsert=%d%n", keys, append, upsert);
        }
        System.out.println("max heap " + MEMORY.getHeapMemoryUsage().getMax() / 1048576 + " MB, "
                + Runtime.getRuntime().availableProcessors() + " cores");
    }

    /** Heap held by one writer after {@code keys} distinct keys, before the checkpoint completes its files. */
    private static long measure(Table table, int keys, boolean upsert) throws Exception {
        RowDataTaskWriterFactory factory = new RowDataTaskWriterFactory(
                table,
                FlinkSchemaUtil.convert(SCHEMA),
                Long.MAX_VALUE, // one file: the figure is about the key map, not file rolling
                FileFormat.PARQUET,
                table.properties(),
                upsert ? List.of(1) : List.of(),
                upsert);
        factory.initialize(0, 0);
        long before = usedHeapAfterGc();
        TaskWriter<org.apache.flink.table.data.RowData> writer = factory.create();
        BigDecimal price = new BigDecimal("123.45");
        for (int i = 0; i < keys; i++) {
            writer.write(GenericRowData.of(
                    StringData.fromString(String.format(Locale.ROOT, "SKY1%013d", i)),
                    StringData.fromString("ada.adams@example.com"),
                    TimestampData.fromEpochMillis(1_764_547_200_000L + i * 60_000L),
                    DecimalData.fromBigDecimal(price, 10, 2),
                    (long) i));
        }
        long held = usedHeapAfterGc() - before;
        WriteResult result = writer.complete();
        checkState(result.dataFiles().length > 0, "The writer of %s keys completed no data file", keys);
        return held;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
