package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.common.iceberg.AvroToRowData;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.datagen.FlightGenerator;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.sink.RowDataTaskWriterFactory;
import org.apache.iceberg.io.TaskWriter;
import org.apache.iceberg.util.PropertyUtil;

/**
 * The Iceberg write ceiling: how fast Iceberg itself encodes and commits the rows the ingestion job writes, with no
 * Kafka and no Avro decoding. Run in its own JVM by {@link PipelineBenchmark}.
 *
 * <p>It creates each table with the schema, partition spec and properties of a table the job created (the {@code
 * --template-warehouse}), builds every row in memory first (the generator's records for the same seed and departure
 * window, converted as the job converts them, lineage columns filled), and only then starts the clock. One writer
 * thread per core appends rows through Iceberg's Flink writer ({@link RowDataTaskWriterFactory}, the code path of the
 * job's sink) into both tables; every commit interval the writers hand over their closed files and one append per
 * table commits them, as the job's sink does on a checkpoint. The clock stops at the last commit, at the interval after
 * the last row (as the job's last rows wait for its next checkpoint); the result line is
 * {@code CEILING rows=<n> millis=<ms>}.
 */
final class IcebergWriteCeiling {

    private static final List<String> TABLES = List.of("airlines.skyone", "airlines.sunset");
    private static final List<Airline<?>> AIRLINES = List.of(Airline.SKY_ONE, Airline.SUNSET);
    private static final int ROWS_BETWEEN_CLOCK_CHECKS = 1024;

    private final List<Table> tables = new ArrayList<>();
    private final List<GenericRowData[]> rows = new ArrayList<>();
    private final int threads;
    private final long commitIntervalNanos;
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    /** Raised by the committer at each interval: every writer then hands over its files and opens new ones. */
    private volatile long requestedEpoch;

    /** One writer's closed files of one epoch, per table (same order as {@link #tables}). */
    private record Delivery(int writer, long epoch, List<List<DataFile>> files, boolean last, Throwable failure) {}

    private IcebergWriteCeiling(int threads, long commitIntervalMillis) {
        this.threads = threads;
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitIntervalMillis);
    }

    /**
     * Arguments: warehouse, template warehouse, records per airline, seed, first departure day (yyyy-MM-dd), commit
     * interval in ms, writer threads.
     */
    public static void main(String[] args) throws Exception {
        checkState(args.length == 7, "Expected 7 arguments, got %s", Arrays.toString(args));
        long records = Long.parseLong(args[2]);
        long seed = Long.parseLong(args[3]);
        Instant firstDeparture =
                LocalDate.parse(args[4]).atStartOfDay(ZoneOffset.UTC).toInstant();
        IcebergWriteCeiling ceiling = new IcebergWriteCeiling(Integer.parseInt(args[6]), Long.parseLong(args[5]));
        ceiling.createTables(args[0], args[1]);
        ceiling.buildRows(records, seed, firstDeparture);
        long started = System.nanoTime();
        ceiling.writeAndCommit(started);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf(Locale.ROOT, "CEILING rows=%d millis=%d%n", records * AIRLINES.size(), millis);
    }

    private void createTables(String warehouse, String templateWarehouse) throws Exception {
        Catalog template = catalog(templateWarehouse);
        Catalog catalog = catalog(warehouse);
        for (String name : TABLES) {
            TableIdentifier identifier = TableIdentifier.parse(name);
            Table like = template.loadTable(identifier);
            tables.add(catalog.createTable(identifier, like.schema(), like.spec(), like.properties()));
        }
    }

    /** The same catalog (and so the same FileIO) as the job's for this warehouse. */
    private static Catalog catalog(String warehouse) {
        return IcebergCatalogs.loader(Map.of(IcebergCatalogs.TYPE, "hadoop", IcebergCatalogs.WAREHOUSE, warehouse))
                .loadCatalog();
    }

    private void buildRows(long records, long seed, Instant firstDeparture) {
        checkState(records <= Integer.MAX_VALUE, "Too many records to hold in memory: %s", records);
        for (int i = 0; i < AIRLINES.size(); i++) {
            rows.add(rowsOf(AIRLINES.get(i), tables.get(i).schema(), (int) records, seed, firstDeparture));
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> GenericRowData[] rowsOf(
            Airline<T> airline, Schema schema, int records, long seed, Instant firstDeparture) {
        FlightGenerator<T> generator = new FlightGenerator<>(airline, seed, firstDeparture);
        AvroToRowData converter =
                AvroToRowData.forSchemas(schema, generator.map(0L).getSchema());
        // The lineage columns the job fills from the Kafka record: what the source topic would have said.
        int topic = position(schema, "kafka_topic");
        int partition = position(schema, "kafka_partition");
        int offset = position(schema, "kafka_offset");
        int timestamp = position(schema, "kafka_timestamp");
        StringData topicName = StringData.fromString(airline.defaultTopic());
        TimestampData now = TimestampData.fromEpochMillis(System.currentTimeMillis());
        GenericRowData[] result = new GenericRowData[records];
        for (int i = 0; i < records; i++) {
            GenericRowData row = converter.convert(generator.map((long) i));
            row.setField(topic, topicName);
            row.setField(partition, i % 2);
            row.setField(offset, (long) i / 2);
            row.setField(timestamp, now);
            result[i] = row;
        }
        return result;
    }

    private static int position(Schema schema, String column) {
        int position = schema.columns().indexOf(schema.findField(column));
        checkState(position >= 0, "The job's table has no column %s: %s", column, schema);
        return position;
    }

    private void writeAndCommit(long started) throws Exception {
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int writer = i;
            Thread thread = new Thread(() -> write(writer), "ceiling-writer-" + i);
            writers.add(thread);
            thread.start();
        }
        boolean[] done = new boolean[threads];
        long[] deliveredEpoch = new long[threads];
        Arrays.fill(deliveredEpoch, -1);
        List<List<DataFile>> pending = emptyFiles();
        long nextCommit = System.nanoTime() + commitIntervalNanos;
        while (!allTrue(done)) {
            Delivery delivery = deliveries.poll(Math.max(0, nextCommit - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (delivery != null) {
                accept(delivery, pending, done, deliveredEpoch);
                continue;
            }
            // An interval is over: every writer still running closes its files of this epoch, then one commit.
            long closing = requestedEpoch;
            requestedEpoch = closing + 1;
            nextCommit += commitIntervalNanos;
            for (int writer = 0; writer < threads; writer++) {
                while (!done[writer] && deliveredEpoch[writer] < closing) {
                    accept(deliveries.take(), pending, done, deliveredEpoch);
                }
            }
            commit(pending);
            pending = emptyFiles();
        }
        System.out.printf(
                Locale.ROOT,
                "Every row written after %d ms; the last commit follows at the next interval%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        // The last rows become visible at the next interval, as the job's do at its next checkpoint.
        TimeUnit.NANOSECONDS.sleep(Math.max(0, nextCommit - System.nanoTime()));
        commit(pending);
        for (Thread writer : writers) {
            writer.join();
        }
    }

    private void accept(Delivery delivery, List<List<DataFile>> pending, boolean[] done, long[] deliveredEpoch) {
        if (delivery.failure() != null) {
            throw new IllegalStateException("Writer " + delivery.writer() + " failed", delivery.failure());
        }
        for (int table = 0; table < tables.size(); table++) {
            pending.get(table).addAll(delivery.files().get(table));
        }
        deliveredEpoch[delivery.writer()] = delivery.epoch();
        done[delivery.writer()] = delivery.last();
    }

    /** Writer {@code writer} takes every {@code threads}-th row of each airline, alternating airlines as they arrive. */
    private void write(int writer) {
        try {
            long epoch = requestedEpoch;
            List<RowDataTaskWriterFactory> factories = writerFactories(writer);
            List<TaskWriter<RowData>> open = open(factories);
            int records = rows.get(0).length;
            for (int i = writer, written = 0; i < records; i += threads, written++) {
                for (int table = 0; table < tables.size(); table++) {
                    open.get(table).write(rows.get(table)[i]);
                }
                if (written % ROWS_BETWEEN_CLOCK_CHECKS == 0 && requestedEpoch != epoch) {
                    deliveries.put(new Delivery(writer, epoch, complete(open), false, null));
                    epoch = requestedEpoch;
                    open = open(factories);
                }
            }
            deliveries.put(new Delivery(writer, epoch, complete(open), true, null));
        } catch (Throwable failure) {
            deliveries.add(new Delivery(writer, Long.MAX_VALUE, List.of(), true, failure));
        }
    }

    /** One factory per table for this writer, as each of the job's sink subtasks has. */
    private List<RowDataTaskWriterFactory> writerFactories(int writer) {
        List<RowDataTaskWriterFactory> factories = new ArrayList<>();
        for (Table table : tables) {
            RowType rowType = FlinkSchemaUtil.convert(table.schema());
            long targetFileSize = PropertyUtil.propertyAsLong(
                    table.properties(),
                    TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
                    TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
            RowDataTaskWriterFactory factory = new RowDataTaskWriterFactory(
                    table, rowType, targetFileSize, FileFormat.PARQUET, table.properties(), List.of(), false);
            factory.initialize(writer, 0);
            factories.add(factory);
        }
        return factories;
    }

    private static List<TaskWriter<RowData>> open(List<RowDataTaskWriterFactory> factories) {
        return factories.stream().map(RowDataTaskWriterFactory::create).toList();
    }

    private static List<List<DataFile>> complete(List<TaskWriter<RowData>> open) throws IOException {
        List<List<DataFile>> files = new ArrayList<>();
        for (TaskWriter<RowData> writer : open) {
            files.add(Arrays.asList(writer.complete().dataFiles()));
        }
        return files;
    }

    private void commit(List<List<DataFile>> files) {
        for (int table = 0; table < tables.size(); table++) {
            if (files.get(table).isEmpty()) {
                continue;
            }
            AppendFiles append = tables.get(table).newAppend();
            files.get(table).forEach(append::appendFile);
            append.commit();
        }
    }

    private List<List<DataFile>> emptyFiles() {
        List<List<DataFile>> files = new ArrayList<>();
        tables.forEach(table -> files.add(new ArrayList<>()));
        return files;
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean value : values) {
            if (!value) {
                return false;
            }
        }
        return true;
    }
}
