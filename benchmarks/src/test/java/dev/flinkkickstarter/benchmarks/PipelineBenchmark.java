package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.benchmarks.BenchmarkReport.Row;
import dev.flinkkickstarter.benchmarks.KafkaPerformanceTools.Throughput;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.testing.ChildProcess;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.util.FileUtils;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline next to what bounds it and what a user would pick instead, measured on one machine in one run (see
 * scripts/benchmark.sh): a Kafka broker in its own JVM and a schema registry behind a request-counting proxy; Kafka's
 * ProducerPerformance and ConsumerPerformance as transport references; datagen-job (at-least-once and exactly-once)
 * and avro-to-iceberg-job each in a local MiniCluster in a JVM of its own, profiled with JFR; Iceberg's Kafka Connect
 * sink in a standalone Connect worker; Iceberg's own writer on rows held in memory (the write ceiling); the end-to-end
 * latency at a steady rate; the smallest heap the job needs.
 *
 * <p>The run is a list of steps ({@link #steps()}), each adding its rows to the one table; {@code -Dbenchmark.steps}
 * selects some of them. Each reference runs right next to the figure it is compared with, so both meet the same
 * machine load; the ratios are the result, the absolute figures drift with the machine. Nothing here asserts on time:
 * the run fails only when a job fails or records go missing.
 */
class PipelineBenchmark {

    private static final int PARTITIONS = 2;
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final List<String> INPUT_TOPICS = List.of("airline.skyone", "airline.sunset");
    private static final List<String> EXACTLY_ONCE_TOPICS = List.of("benchmark.eos.skyone", "benchmark.eos.sunset");
    /**
     * The latency step's runs: the job with table maintenance in it (its default); with maintenance in a job of its
     * own beside it; without maintenance.
     */
    private static final List<LatencyRun> LATENCY_RUNS = List.of(
            new LatencyRun("maintenance in the job", "latency", List.of(), List.of(), "latency.png"),
            new LatencyRun(
                    "maintenance in a job of its own",
                    "latency-maintenance-job",
                    List.of("--maintenance", "false"),
                    List.of("--maintenance", "only"),
                    "latency-maintenance-job.png"),
            new LatencyRun(
                    "maintenance off",
                    "latency-maintenance-off",
                    List.of("--maintenance", "false"),
                    List.of(),
                    "latency-maintenance-off.png"));

    private static final String PRODUCER_PERFORMANCE_TOPIC = "benchmark.producer-performance";
    private static final List<TableIdentifier> RAW_TABLES =
            List.of(TableIdentifier.of("airlines", "skyone"), TableIdentifier.of("airlines", "sunset"));
    private static final TableIdentifier FLIGHT_TABLE = TableIdentifier.of("airlines", "flight");
    /** The airlines of {@link #INPUT_TOPICS}, in the same order. */
    private static final List<Airline<?>> AIRLINES = List.of(Airline.SKY_ONE, Airline.SUNSET);
    /** The departure column each raw table is partitioned by (the job's default partition specs). */
    private static final List<String> DEPARTURE_COLUMNS = List.of("flight_departure_time", "departure_time");
    /** The column holding each airline's record key (booking reference), unique per record. */
    private static final List<String> KEY_COLUMNS = List.of("confirmation", "reference_number");

    /**
     * Shorter than the job's 60 s default, so that the wait for the commit after the last record (up to one
     * interval) stays small next to the run; more checkpoints only cost the job time. Also the Connect sink's commit
     * interval and the write ceiling's.
     */
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    /** The heap of every job JVM, the Connect worker's and (plus the rows it holds) the write ceiling's. */
    private static final int JOB_HEAP_MB = 2048;
    /** The generator's seed and departure window: the write ceiling rebuilds the very records datagen wrote. */
    private static final long SEED = 1;

    private static final String DEPARTURES_FROM = LocalDate.now(ZoneOffset.UTC).toString();

    private static final int VALUE_SIZE_SAMPLE = 20_000;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    /** Each poll refreshes a few tables' metadata: often enough to see a commit, not so often that it competes. */
    private static final Duration ICEBERG_POLL_INTERVAL = Duration.ofMillis(200);

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(30);
    private static final String JOB_RUNNING = "switched from state CREATED to RUNNING";
    private static final String JOB_RESTARTING = "to RESTARTING";
    private static final String CHECKPOINT_COMPLETED = "Completed checkpoint";
    private static final Pattern CEILING_RESULT = Pattern.compile("CEILING rows=(\\d+) millis=(\\d+)");
    private static final Pattern DECODE_RESULT = Pattern.compile("DECODE (\\d+) (.+)");
    private static final Pattern UPSERT_MEMORY_RESULT =
            Pattern.compile("UPSERT-MEMORY keys=(\\d+) append=(-?\\d+) upsert=(-?\\d+)");
    private static final double MIB = 1 << 20;

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static Path output;
    private static long recordsPerAirline;
    /**
     * Table maintenance as the job runs it by default, but checked every 5 s and triggered every 3 commits instead
     * of every 60 s and 10 commits: the run lasts tens of seconds, and with the defaults it would end before the
     * first compaction.
     */
    private static final String DEFAULT_MAINTENANCE_ARGS =
            "--maintenance.check-interval 5s --maintenance.trigger-commits 3";

    private static List<String> icebergJobArgs;
    private static List<String> maintenanceArgs;
    private static KafkaBrokerProcess broker;
    private static KafkaTopics topics;

    private final List<String> loadAverages = new ArrayList<>();
    /** The runs recorded with JFR, by name: their hot frames go to profiles.txt. */
    private final List<String> profiled = new ArrayList<>();

    private final List<String> notes = new ArrayList<>();
    private final List<String> heapFailures = new ArrayList<>();

    @Nullable
    private JobRun fullJob;

    @Nullable
    private JobRun rawTablesJob;

    /** One run: the records it moved, in how long, and the registry requests it made (-1: not counted). */
    private record JobRun(String name, long records, Duration elapsed, int registryRequests) {
        double recordsPerSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }
    }

    /** One part of the run, selected by its name in {@code -Dbenchmark.steps}; adds its figures to the report. */
    @FunctionalInterface
    private interface Step {
        void addRowsTo(BenchmarkReport report) throws Exception;
    }

    /** Every step, in the order of the table. New comparisons slot in here. */
    private Map<String, Step> steps() {
        Map<String, Step> steps = new LinkedHashMap<>();
        steps.put("datagen", this::datagenNextToProducerPerformance);
        steps.put("iceberg-job", this::icebergJobNextToConsumerPerformance);
        steps.put("decoder", this::decoderNextToAvroBinaryDecoder);
        steps.put("maintenance", this::icebergJobWithAndWithoutMaintenance);
        steps.put("upsert", this::icebergJobUpsertNextToAppend);
        steps.put("upsert-memory", this::upsertWriterMemory);
        steps.put("kafka-connect", this::icebergJobNextToKafkaConnect);
        steps.put("ceiling", this::icebergJobNextToWriteCeiling);
        steps.put("latency", this::commitLatency);
        steps.put("heap", this::smallestHeap);
        return steps;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        output = Paths.get(System.getProperty("benchmark.output.dir", "target/benchmark"))
                .toAbsolutePath();
        recordsPerAirline = Long.parseLong(System.getProperty("benchmark.records", "1000000"));
        String extraArgs = System.getProperty("benchmark.iceberg-job.args", "").trim();
        icebergJobArgs = extraArgs.isEmpty() ? List.of() : List.of(extraArgs.split("\\s+"));
        String maintenance =
                System.getProperty("benchmark.maintenance.args", "").trim();
        maintenanceArgs = List.of((maintenance.isEmpty() ? DEFAULT_MAINTENANCE_ARGS : maintenance).split("\\s+"));
        FileUtils.deleteDirectory(output.toFile());
        Files.createDirectories(output);
        broker = KafkaBrokerProcess.start(output.resolve("kafka"), PARTITIONS);
        topics = KafkaTopics.connect(broker.bootstrapServers());
        List<String> all = new ArrayList<>(INPUT_TOPICS);
        all.addAll(EXACTLY_ONCE_TOPICS);
        LATENCY_RUNS.forEach(run -> all.addAll(run.topics()));
        all.add(PRODUCER_PERFORMANCE_TOPIC);
        topics.create(all, PARTITIONS);
    }

    @AfterAll
    static void stopBroker() throws InterruptedException {
        if (topics != null) {
            topics.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void pipelineNextToItsReferences() throws Exception {
        Map<String, Step> steps = steps();
        String selection = System.getProperty("benchmark.steps", "all").trim();
        List<String> selected = selection.equals("all")
                ? List.copyOf(steps.keySet())
                : Arrays.stream(selection.split(",")).map(String::trim).toList();
        checkArgument(
                steps.keySet().containsAll(selected), "Unknown step in %s; the steps are %s", selected, steps.keySet());

        BenchmarkReport report = new BenchmarkReport();
        for (String step : selected) {
            System.out.println("Step " + step);
            steps.get(step).addRowsTo(report);
        }
        report.note(String.format(
                Locale.ROOT,
                "%,d records per airline (%,d in all) in topics of %d partitions; steps: %s.",
                recordsPerAirline,
                recordsPerAirline * INPUT_TOPICS.size(),
                PARTITIONS,
                String.join(", ", selected)));
        report.note("Jobs: each in a local MiniCluster (parallelism = " + CORES + " cores, -Xmx" + JOB_HEAP_MB
                + "m) in its own JVM; broker, registry, Kafka tools and Connect worker in JVMs of their own; all on one"
                + " machine. Iceberg tables: Hadoop catalog on a local directory, Parquet (zstd), month partitions,"
                + " dictionary encoding off, commits every " + CHECKPOINT_INTERVAL.toSeconds() + " s"
                + (icebergJobArgs.isEmpty() ? "" : "; extra job flags: " + String.join(" ", icebergJobArgs))
                + ".");
        report.note("Clocks: datagen from its first record in Kafka to its last one written (at-least-once) or"
                + " committed (exactly-once, checkpoints every 10 s); avro-to-iceberg-job from its RUNNING state, the"
                + " Connect sink from the creation of its connectors, the write ceiling from its first row, each to"
                + " the last row committed to Iceberg (read from the tables' snapshots).");
        notes.forEach(report::note);
        report.note("Load average (1/5/15 min) before each step: " + String.join("; ", loadAverages) + ".");
        report.write(output);

        StringBuilder profiles = new StringBuilder();
        for (String run : profiled) {
            profiles.append(HotFrames.of(run, recording(run)).describe(15)).append('\n');
        }
        Files.writeString(output.resolve("profiles.txt"), profiles, StandardCharsets.UTF_8);
        System.out.println("\n" + report.text() + "\n" + profiles + "Results in " + output);
    }

    // ---- Steps ---------------------------------------------------------------------------------------------------

    /** datagen-job at-least-once and exactly-once next to ProducerPerformance with values of the same size. */
    private void datagenNextToProducerPerformance(BenchmarkReport report) throws Exception {
        JobRun atLeastOnce = prefilledTopics();
        double skyOneValueSize = topics.meanValueSize(INPUT_TOPICS.get(0), VALUE_SIZE_SAMPLE);
        double sunsetValueSize = topics.meanValueSize(INPUT_TOPICS.get(1), VALUE_SIZE_SAMPLE);
        double meanValueSize = (skyOneValueSize + sunsetValueSize) / 2;
        int recordSize = (int) Math.round(skyOneValueSize);
        recordLoad("ProducerPerformance");
        Throughput producer = progress(
                "ProducerPerformance",
                KafkaPerformanceTools.producerPerformance(
                        broker.bootstrapServers(),
                        PRODUCER_PERFORMANCE_TOPIC,
                        recordsPerAirline * INPUT_TOPICS.size(),
                        recordSize,
                        "all",
                        output.resolve("producer-performance.log")));
        JobRun exactlyOnce = runDatagen("exactly-once", EXACTLY_ONCE_TOPICS, "unlimited");

        String producerReference = "ProducerPerformance, " + recordSize + " B values, acks=all";
        report.add(new Row(
                "datagen-job at-least-once",
                atLeastOnce.recordsPerSecond(),
                "records/s",
                producerReference,
                producer.recordsPerSecond(),
                0.5,
                null));
        report.add(new Row(
                "datagen-job at-least-once",
                mebibytes(atLeastOnce, meanValueSize),
                "MB/s",
                producerReference,
                producer.megabytesPerSecond(),
                null,
                null));
        report.add(new Row(
                "datagen-job exactly-once",
                exactlyOnce.recordsPerSecond(),
                "records/s",
                "datagen-job at-least-once",
                atLeastOnce.recordsPerSecond(),
                0.8,
                null));
        report.add(new Row(
                "datagen-job exactly-once",
                mebibytes(exactlyOnce, meanValueSize),
                "MB/s",
                producerReference,
                producer.megabytesPerSecond(),
                null,
                null));
        for (JobRun run : List.of(atLeastOnce, exactlyOnce)) {
            report.add(registryRow(run));
        }
        notes.add(String.format(
                Locale.ROOT,
                "Mean value size %.1f B (Sky One %.1f B, Sunset %.1f B); MB = 2^20 bytes of values.",
                meanValueSize,
                skyOneValueSize,
                sunsetValueSize));
    }

    /** The whole job (raw tables and the unified flight table) next to ConsumerPerformance, which only fetches. */
    private void icebergJobNextToConsumerPerformance(BenchmarkReport report) throws Exception {
        prefilledTopics();
        recordLoad("ConsumerPerformance");
        Throughput consumer = progress(
                "ConsumerPerformance",
                KafkaPerformanceTools.consumerPerformance(
                        broker.bootstrapServers(),
                        INPUT_TOPICS.get(0),
                        recordsPerAirline,
                        output.resolve("consumer-performance.log")));
        JobRun job = fullJob();
        report.add(new Row(
                job.name(),
                job.recordsPerSecond(),
                "records/s",
                "ConsumerPerformance (fetch)",
                consumer.recordsPerSecond(),
                0.4,
                null));
        report.add(registryRow(job));
    }

    /**
     * The whole job with table maintenance on (triggered often enough to run within the benchmark) and off: rows/s
     * and the data files the tables hold once the last row is committed.
     */
    private void icebergJobWithAndWithoutMaintenance(BenchmarkReport report) throws Exception {
        prefilledTopics();
        JobRun on = runIcebergJob("avro-to-iceberg-job, maintenance on", "maintenance-on", true, maintenanceArgs);
        long filesOn = dataFiles("maintenance-on");
        JobRun off = runIcebergJob(
                "avro-to-iceberg-job, maintenance off", "maintenance-off", true, List.of("--maintenance", "false"));
        long filesOff = dataFiles("maintenance-off");
        report.add(
                new Row(on.name(), on.recordsPerSecond(), "records/s", off.name(), off.recordsPerSecond(), null, null));
        report.add(new Row(
                "data files after the run, maintenance on",
                filesOn,
                "files",
                "data files after the run, maintenance off",
                filesOff,
                null,
                null));
        notes.add("Maintenance step: flags " + String.join(" ", maintenanceArgs)
                + "; data files = the three tables' current snapshots when the last row was committed.");
    }

    /**
     * The whole job with every table upserting by its default key (equality deletes; tables unpartitioned, as upsert
     * keys do not hold the departure time) next to the same job appending into unpartitioned tables.
     */
    private void icebergJobUpsertNextToAppend(BenchmarkReport report) throws Exception {
        prefilledTopics();
        JobRun upsert =
                runIcebergJob("avro-to-iceberg-job, upsert", "upsert", true, "none", List.of("--upsert-tables", "all"));
        JobRun append = runIcebergJob("avro-to-iceberg-job, append, unpartitioned", "append", true, "none", List.of());
        report.add(new Row(
                upsert.name(),
                upsert.recordsPerSecond(),
                "records/s",
                append.name(),
                append.recordsPerSecond(),
                null,
                null));
        notes.add("Upsert step: every booking key is new (datagen without --update-ratio), so the figure is the cost of"
                + " keyed writing (equality deletes, rows shuffled by key), not of updates.");
    }

    /**
     * The job's decoder next to Avro's own {@code BinaryDecoder} (unbounded) on the same values in memory, one thread,
     * in a JVM of its own: what bounded decoding and the wire format cost per value.
     */
    private void decoderNextToAvroBinaryDecoder(BenchmarkReport report) throws Exception {
        String name = "decoder throughput";
        recordLoad(name);
        Map<String, Double> valuesPerSecond = new LinkedHashMap<>();
        try (ChildProcess decoder = ChildProcess.java(name, DecoderThroughput.class.getName())
                .jvmOptions("-Xmx1g", Log4jConfig.write(output.resolve("decoder-log4j2.properties")))
                .arguments(REGISTRY.url())
                .log(output.resolve(fileName(name) + ".log"))
                .start()) {
            decoder.awaitSuccess(JOB_TIMEOUT);
            Matcher result = DECODE_RESULT.matcher(decoder.output());
            while (result.find()) {
                valuesPerSecond.put(result.group(2).trim(), Double.parseDouble(result.group(1)));
            }
            checkState(
                    valuesPerSecond.size() == 3 && valuesPerSecond.containsKey(DecoderThroughput.AVRO_BINARY_DECODER),
                    "%s printed %s results%s",
                    name,
                    valuesPerSecond.keySet(),
                    decoder.outputTail());
        }
        double reference = valuesPerSecond.remove(DecoderThroughput.AVRO_BINARY_DECODER);
        valuesPerSecond.forEach((decoder, value) ->
                report.add(new Row(decoder, value, "values/s", DecoderThroughput.AVRO_BINARY_DECODER, reference)));
        notes.add("Decoder step: 10,000 flight-like values (Confluent wire format) decoded in memory by one thread, the"
                + " best of 30 rounds after two warm-up passes; no Kafka, no Iceberg.");
    }

    /**
     * Heap one Iceberg writer holds after {@code n} distinct keys in one checkpoint, upsert next to append (the
     * difference is Iceberg's map of the keys written since the last checkpoint), for a tenth, a quarter, half and all
     * of the records per airline as keys (100,000 to 1,000,000 by default), in a JVM of its own.
     */
    private void upsertWriterMemory(BenchmarkReport report) throws Exception {
        String name = "upsert writer memory";
        recordLoad(name);
        List<Long> keyCounts = List.of(
                Math.max(1, recordsPerAirline / 10),
                Math.max(1, recordsPerAirline / 4),
                Math.max(1, recordsPerAirline / 2),
                recordsPerAirline);
        List<String> perKey = new ArrayList<>();
        try (ChildProcess writer = ChildProcess.java(name, UpsertWriterMemory.class.getName())
                .jvmOptions(
                        "-Xmx" + JOB_HEAP_MB + "m",
                        Log4jConfig.write(output.resolve("upsert-memory-log4j2.properties")))
                .arguments(
                        output.resolve("warehouse-upsert-memory").toString(),
                        String.join(
                                ",", keyCounts.stream().map(Object::toString).toList()))
                .log(output.resolve(fileName(name) + ".log"))
                .start()) {
            writer.awaitSuccess(JOB_TIMEOUT);
            Matcher result = UPSERT_MEMORY_RESULT.matcher(writer.output());
            while (result.find()) {
                long keys = Long.parseLong(result.group(1));
                long append = Long.parseLong(result.group(2));
                long upsert = Long.parseLong(result.group(3));
                report.add(new Row(
                        String.format(Locale.ROOT, "upsert writer, heap held after %,d keys", keys),
                        upsert / MIB,
                        "MB",
                        "append writer, same rows",
                        append / MIB));
                perKey.add(String.format(Locale.ROOT, "%,d B at %,d keys", (upsert - append) / keys, keys));
            }
            checkState(
                    perKey.size() == keyCounts.size(),
                    "%s printed %s of %s results%s",
                    name,
                    perKey.size(),
                    keyCounts.size(),
                    writer.outputTail());
        }
        notes.add("Upsert writer memory: one Iceberg writer (RowDataTaskWriterFactory, Parquet, one file) fed distinct"
                + " booking keys without a checkpoint, heap used after GC before and after; upsert minus append per key: "
                + String.join(", ", perKey) + ".");
    }

    private static long dataFiles(String label) throws Exception {
        List<TableIdentifier> tables = new ArrayList<>(RAW_TABLES);
        tables.add(FLIGHT_TABLE);
        try (IcebergRowCounts rows = new IcebergRowCounts(warehouse(label))) {
            return rows.dataFiles(tables);
        }
    }

    /**
     * The job next to what a user would pick instead: Iceberg's Kafka Connect sink, tuned as its users would, into
     * the same kind of raw tables. The sink cannot build the unified flight table, so the job runs without it for
     * the comparison; the full job stands beside it.
     */
    private void icebergJobNextToKafkaConnect(BenchmarkReport report) throws Exception {
        prefilledTopics();
        JobRun rawTables = rawTablesJob();
        JobRun full = fullJob();
        recordLoad("Kafka Connect");
        Path dir = output.resolve("kafka-connect");
        JobRun cold;
        JobRun warm;
        try (KafkaConnectWorker worker = KafkaConnectWorker.start(
                dir,
                Paths.get(System.getProperty("benchmark.connect.worker.lib")),
                Paths.get(System.getProperty("benchmark.connect.plugin.path")),
                broker.bootstrapServers(),
                Map.of(
                        // The sink reads its control topic only inside put(), which Connect stops calling between
                        // offset flushes once the topics are drained: with the 60 s default the last commit waits up
                        // to two minutes (Iceberg issues #17193, #16084). Users tune it down.
                        "offset.flush.interval.ms", "1000"),
                List.of("-Xmx" + JOB_HEAP_MB + "m", flightRecording("Kafka Connect worker")))) {
            cold = runConnectSink(worker, "cold");
            recordLoad("Kafka Connect warm");
            warm = runConnectSink(worker, "warm");
        }
        profiled.add("Kafka Connect worker");
        for (int airline = 0; airline < RAW_TABLES.size(); airline++) {
            IcebergRowComparison.checkSameValues(
                    warehouse("kafka-connect"),
                    connectTable("warm", airline),
                    warehouse("raw-tables"),
                    RAW_TABLES.get(airline),
                    KEY_COLUMNS.get(airline));
        }
        report.add(new Row(
                rawTables.name(),
                rawTables.recordsPerSecond(),
                "records/s",
                warm.name(),
                warm.recordsPerSecond(),
                2.0,
                null));
        report.add(new Row(
                rawTables.name(),
                rawTables.recordsPerSecond(),
                "records/s",
                cold.name(),
                cold.recordsPerSecond(),
                null,
                null));
        report.add(new Row(
                full.name(), full.recordsPerSecond(), "records/s", warm.name(), warm.recordsPerSecond(), null, null));
        notes.add("Kafka Connect " + "4.2.0 standalone worker (own JVM, -Xmx" + JOB_HEAP_MB
                + "m), iceberg-kafka-connect 1.11.0 with Apicurio's AvroConverter (Confluent ids, contentId),"
                + " one connector per topic with one task each (" + INPUT_TOPICS.size()
                + " tasks in all, as the job's parallelism), Kafka lineage columns from Iceberg's KafkaMetadataTransform,"
                + " tables auto-created with the job's partition spec and table properties, commit interval "
                + CHECKPOINT_INTERVAL.toSeconds()
                + " s, offset.flush.interval.ms=1000; cold: first connectors of a fresh worker, warm: new connectors"
                + " and tables on the same worker. Decoded values checked against the job's rows.");
    }

    /** The job's raw tables next to Iceberg's own writer on the same rows held in memory. */
    private void icebergJobNextToWriteCeiling(BenchmarkReport report) throws Exception {
        prefilledTopics();
        JobRun rawTables = rawTablesJob();
        String name = "Iceberg write ceiling";
        recordLoad(name);
        long rowsHeld = recordsPerAirline * INPUT_TOPICS.size();
        // Room for every row in memory (~1 KB each as Flink rows) next to the writers.
        long heapMb = JOB_HEAP_MB + rowsHeld / 1000;
        try (ChildProcess ceiling = ChildProcess.java(name, IcebergWriteCeiling.class.getName())
                .jvmOptions(
                        "-Xmx" + heapMb + "m",
                        flightRecording(name),
                        Log4jConfig.write(output.resolve("ceiling-log4j2.properties")))
                .arguments(
                        warehouse("ceiling"),
                        warehouse("raw-tables"),
                        String.valueOf(recordsPerAirline),
                        String.valueOf(SEED),
                        DEPARTURES_FROM,
                        String.valueOf(CHECKPOINT_INTERVAL.toMillis()),
                        String.valueOf(CORES))
                .log(output.resolve("ceiling.log"))
                .start()) {
            ceiling.awaitSuccess(JOB_TIMEOUT);
            Matcher result = CEILING_RESULT.matcher(ceiling.output());
            checkState(result.find(), "%s printed no result%s", name, ceiling.outputTail());
            try (IcebergRowCounts rows = new IcebergRowCounts(warehouse("ceiling"))) {
                long committed = rows.committedRows(RAW_TABLES);
                checkState(committed == rowsHeld, "%s committed %s rows of %s", name, committed, rowsHeld);
            }
            JobRun run = progress(new JobRun(
                    name + " (Flink writer, rows in memory)",
                    Long.parseLong(result.group(1)),
                    Duration.ofMillis(Long.parseLong(result.group(2))),
                    -1));
            profiled.add(name);
            report.add(new Row(
                    rawTables.name(),
                    rawTables.recordsPerSecond(),
                    "records/s",
                    run.name(),
                    run.recordsPerSecond(),
                    0.6,
                    null));
        }
        notes.add("Write ceiling: the generator's records for the same seed, converted as the job converts them and"
                + " held in memory before the clock starts, written by " + CORES + " threads through Iceberg's"
                + " RowDataTaskWriterFactory into tables with the job's schema, spec and properties, one commit per"
                + " table every " + CHECKPOINT_INTERVAL.toSeconds() + " s; -Xmx" + heapMb + "m.");
    }

    /**
     * The end-to-end latency at a steady rate: datagen-job writes at {@code benchmark.latency.records-per-second}
     * (both airlines together) while the job runs, once with table maintenance in the job and once without; each
     * row's latency is from its Kafka timestamp to the commit of the snapshot that made it visible. The figures count
     * the rows after a warm-up ({@code benchmark.latency.warm-up-seconds}): a job starts cold (class loading, JIT
     * compilation) and first catches up on what arrived meanwhile; that start is reported as a figure of its own and
     * shown in the plot.
     */
    private void commitLatency(BenchmarkReport report) throws Exception {
        for (LatencyRun run : LATENCY_RUNS) {
            commitLatency(report, run);
        }
    }

    private void commitLatency(BenchmarkReport report, LatencyRun run) throws Exception {
        long rate = Long.getLong("benchmark.latency.records-per-second", 20_000);
        long seconds = Long.getLong("benchmark.latency.seconds", 120);
        Duration warmUp = Duration.ofSeconds(Long.getLong("benchmark.latency.warm-up-seconds", 60));
        long perAirlinePerSecond = rate / INPUT_TOPICS.size();
        long perAirline = perAirlinePerSecond * (warmUp.toSeconds() + seconds);
        List<String> topicNames = run.topics();
        String name = "avro-to-iceberg-job at " + rate + " records/s, " + run.name();
        recordLoad(name);
        // The job reads each subject's latest schema when it starts, before datagen-job has written anything:
        // register the schemas as datagen-job does.
        try (SchemaRegistryClient registry =
                SchemaRegistryClient.create(SchemaRegistrySettings.of(REGISTRY.clientProperties()))) {
            for (int airline = 0; airline < topicNames.size(); airline++) {
                registry.writerSchemaId(
                        ConfluentSchemaCoder.valueSubject(topicNames.get(airline)),
                        SpecificData.get().getSchema(AIRLINES.get(airline).recordClass()));
            }
        }
        try (ChildProcess job =
                        icebergJob(name, run.label(), topicNames, true, "month", JOB_HEAP_MB, true, run.jobArgs());
                ChildProcess maintenanceJob = run.maintenanceJobArgs().isEmpty()
                        ? null
                        : icebergJob(
                                name + ", the maintenance job",
                                run.label(),
                                topicNames,
                                true,
                                "month",
                                JOB_HEAP_MB,
                                false,
                                run.maintenanceJobArgs())) {
            awaitRunning(job);
            // RUNNING comes before the tasks are deployed and initialized; a completed checkpoint means every task
            // runs, so the first records do not wait for the job's start-up.
            awaitOutput(job, CHECKPOINT_COMPLETED);
            if (maintenanceJob != null) {
                awaitOutput(maintenanceJob, CHECKPOINT_COMPLETED);
            }
            JobRun datagen = runDatagen(
                    "at-least-once at " + perAirlinePerSecond + " records/s per airline, " + run.name(),
                    topicNames,
                    String.valueOf(perAirlinePerSecond),
                    perAirline);
            awaitCommitted(job, name, run.label(), true, perAirline * topicNames.size(), JOB_TIMEOUT);
            System.out.printf(
                    Locale.ROOT, "datagen-job kept %.0f records/s in the latency run%n", datagen.recordsPerSecond());
            notes.add(String.format(
                    Locale.ROOT,
                    "Latency run, %s: datagen-job at-least-once at %,d records/s per airline for %d s of warm-up and"
                            + " %d s measured (reached %.0f records/s in all) while the job ran with checkpoints every"
                            + " %d s; latency = snapshot commit time - Kafka record timestamp, over every row of the raw"
                            + " tables written after the warm-up (the first row of the warm-up too for the figure"
                            + " named so); plot: %s, the whole run.",
                    run.name(),
                    perAirlinePerSecond,
                    warmUp.toSeconds(),
                    seconds,
                    datagen.recordsPerSecond(),
                    CHECKPOINT_INTERVAL.toSeconds(),
                    run.plot()));
        }
        profiled.add(name);
        String reference = "checkpoint interval + 2 s";
        double bound = CHECKPOINT_INTERVAL.toMillis() + 2000;
        CommitLatency whole = CommitLatency.of(warehouse(run.label()), RAW_TABLES);
        checkState(
                whole.rows() == perAirline * topicNames.size(),
                "Latency read %s rows, expected %s",
                whole.rows(),
                perAirline * topicNames.size());
        CommitLatency latency = whole.after(warmUp);
        whole.plot(
                output.resolve(run.plot()),
                String.format(
                        Locale.ROOT,
                        "avro-to-iceberg-job, %s: Kafka timestamp to visible commit at %,d records/s, checkpoints"
                                + " every %d s",
                        run.name(),
                        rate,
                        CHECKPOINT_INTERVAL.toSeconds()),
                bound / 1000,
                warmUp);
        String figure = "latency %s at " + rate + " records/s, " + run.name();
        report.add(new Row(String.format(figure, "p50"), latency.percentile(0.5), "ms", reference, bound));
        report.add(new Row(String.format(figure, "p99"), latency.percentile(0.99), "ms", reference, bound, null, 1.0));
        report.add(new Row(String.format(figure, "max"), latency.max(), "ms", reference, bound));
        report.add(new Row(
                String.format(figure, "p99") + ", warm-up included", whole.percentile(0.99), "ms", reference, bound));
    }

    /**
     * One run of the latency step: {@code label} names its topics, warehouse and logs; {@code jobArgs} are added to
     * the job's flags; unless {@code maintenanceJobArgs} is empty, a second job with the same flags and those
     * maintains the tables; {@code plot} is the PNG's file name.
     */
    private record LatencyRun(
            String name, String label, List<String> jobArgs, List<String> maintenanceJobArgs, String plot) {

        List<String> topics() {
            return List.of("benchmark." + label + ".skyone", "benchmark." + label + ".sunset");
        }
    }

    /**
     * The smallest job heap (-Xmx of the MiniCluster JVM, which holds the TaskManager) that sustains the benchmark,
     * with month and with day partitions: a bisection over heap sizes, each trial the whole job on the pre-filled
     * topics.
     */
    private void smallestHeap(BenchmarkReport report) throws Exception {
        prefilledTopics();
        int maxMb = Integer.getInteger("benchmark.heap.max-mb", 4096);
        int resolutionMb = Integer.getInteger("benchmark.heap.resolution-mb", 64);
        Duration trialTimeout = Duration.ofSeconds(Long.getLong("benchmark.heap.trial-timeout-seconds", 300));
        for (String unit : List.of("month", "day")) {
            recordLoad("heap, " + unit + " partitions");
            int failsMb = 0; // nothing sustains a 0 MB heap
            int sustainsMb = maxMb;
            while (sustainsMb - failsMb > resolutionMb) {
                int mb = (failsMb + sustainsMb) / 2 / resolutionMb * resolutionMb;
                mb = Math.max(mb, failsMb + resolutionMb);
                if (heapSustains(unit, mb, trialTimeout)) {
                    sustainsMb = mb;
                } else {
                    failsMb = mb;
                }
            }
            // The bisection never tried the maximum itself; a job that fails even there gets no figure, only the
            // failed trials in the note.
            boolean sustained = sustainsMb < maxMb || heapSustains(unit, maxMb, trialTimeout);
            report.add(new Row(
                    "smallest job heap, " + unit + " partitions" + (sustained ? "" : ": none up to " + maxMb + " MB"),
                    sustained ? sustainsMb : Double.NaN,
                    "MB",
                    "the benchmark's job heap",
                    JOB_HEAP_MB));
        }
        notes.add("Heap: bisection (resolution " + resolutionMb + " MB, up to " + maxMb
                + " MB) over -Xmx of the job's MiniCluster JVM (JobManager and TaskManager in one JVM), each trial"
                + " the whole job (raw and flight tables) on the pre-filled topics; a trial fails on an"
                + " OutOfMemoryError, a restart or " + trialTimeout.toSeconds() + " s without every row committed."
                + (heapFailures.isEmpty() ? "" : " Failed trials: " + String.join("; ", heapFailures) + "."));
    }

    // ---- Runs ----------------------------------------------------------------------------------------------------

    /**
     * datagen-job at-least-once at full speed into the input topics every other step reads: run once, first; also
     * the datagen figure.
     */
    private JobRun prefilledTopics() throws Exception {
        if (prefill == null) {
            prefill = runDatagen("at-least-once", INPUT_TOPICS, "unlimited");
        }
        return prefill;
    }

    @Nullable
    private JobRun prefill;

    private JobRun fullJob() throws Exception {
        if (fullJob == null) {
            fullJob = runIcebergJob("avro-to-iceberg-job, committed rows", "full", true);
        }
        return fullJob;
    }

    private JobRun rawTablesJob() throws Exception {
        if (rawTablesJob == null) {
            rawTablesJob = runIcebergJob("avro-to-iceberg-job, raw tables only", "raw-tables", false);
        }
        return rawTablesJob;
    }

    private JobRun runDatagen(String guarantee, List<String> topicNames, String rate) throws Exception {
        return runDatagen(guarantee, topicNames, rate, recordsPerAirline);
    }

    private JobRun runDatagen(String label, List<String> topicNames, String rate, long perAirline) throws Exception {
        String name = "datagen-job " + label;
        boolean exactlyOnce = label.startsWith("exactly-once");
        long total = perAirline * topicNames.size();
        recordLoad(name);
        REGISTRY.resetRequestCount();
        try (ChildProcess job = jobJvm(name, "dev.flinkkickstarter.datagen.DataGeneratorJob", JOB_HEAP_MB, true)
                .arguments(
                        "--bootstrap-servers", broker.bootstrapServers(),
                        "--schema-registry-url", REGISTRY.url(),
                        "--records-per-second", rate,
                        "--max-records", String.valueOf(perAirline),
                        "--seed", String.valueOf(SEED),
                        "--departures-from", DEPARTURES_FROM,
                        "--delivery-guarantee", exactlyOnce ? "exactly-once" : "at-least-once",
                        "--transactional-id-prefix", "benchmark-" + fileName(label),
                        "--skyone-topic", topicNames.get(0),
                        "--sunset-topic", topicNames.get(1))
                .start()) {
            // Written records (log end offsets) show when the first record arrives; the visible ones
            // (last stable offsets under exactly-once) when the last one is durable for readers.
            long before = topics.offsets(topicNames, IsolationLevel.READ_UNCOMMITTED);
            long firstWrite = 0;
            long visible = -1;
            long lastChange = 0;
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (job.isAlive()) {
                checkState(System.nanoTime() - deadline < 0, "%s did not finish within %s", name, JOB_TIMEOUT);
                checkNotRestarting(job);
                long written = topics.offsets(topicNames, IsolationLevel.READ_UNCOMMITTED) - before;
                long now = System.nanoTime();
                if (firstWrite == 0 && written > 0) {
                    firstWrite = now;
                }
                long nowVisible =
                        exactlyOnce ? topics.offsets(topicNames, IsolationLevel.READ_COMMITTED) - before : written;
                if (nowVisible != visible) {
                    visible = nowVisible;
                    lastChange = now;
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            job.awaitSuccess(Duration.ZERO);
            long written = topics.offsets(topicNames, IsolationLevel.READ_UNCOMMITTED) - before;
            long committed = topics.offsets(topicNames, IsolationLevel.READ_COMMITTED) - before;
            checkState(committed == visible || !exactlyOnce, "%s: offsets moved after the job ended", name);
            // Exactly-once adds one transaction marker per partition and checkpoint to the offsets.
            checkState(
                    exactlyOnce ? committed == written && written >= total : written == total,
                    "%s wrote %s offsets, committed %s, for %s records%s",
                    name,
                    written,
                    committed,
                    total,
                    job.outputTail());
            profiled.add(name);
            return progress(
                    new JobRun(name, total, Duration.ofNanos(lastChange - firstWrite), REGISTRY.requestCount()));
        }
    }

    /** avro-to-iceberg-job from the pre-filled topics until every record is a committed row. */
    private JobRun runIcebergJob(String name, String label, boolean flightTable) throws Exception {
        return runIcebergJob(name, label, flightTable, List.of());
    }

    /** The same with {@code jobArgs} added to the job's flags. */
    private JobRun runIcebergJob(String name, String label, boolean flightTable, List<String> jobArgs)
            throws Exception {
        return runIcebergJob(name, label, flightTable, "month", jobArgs);
    }

    /** The same with tables partitioned by {@code partitionUnit} of the departure time ({@code none}: unpartitioned). */
    private JobRun runIcebergJob(
            String name, String label, boolean flightTable, String partitionUnit, List<String> jobArgs)
            throws Exception {
        recordLoad(name);
        REGISTRY.resetRequestCount();
        try (ChildProcess job =
                icebergJob(name, label, INPUT_TOPICS, flightTable, partitionUnit, JOB_HEAP_MB, true, jobArgs)) {
            long started = awaitRunning(job);
            long finished =
                    awaitCommitted(job, name, label, flightTable, recordsPerAirline * INPUT_TOPICS.size(), JOB_TIMEOUT);
            profiled.add(name);
            return progress(new JobRun(
                    name,
                    recordsPerAirline * INPUT_TOPICS.size(),
                    Duration.ofNanos(finished - started),
                    REGISTRY.requestCount()));
        }
    }

    /** One heap-bisection trial: does the job commit every record with this heap, without failing? */
    private boolean heapSustains(String unit, int heapMb, Duration timeout) throws Exception {
        String name = "avro-to-iceberg-job, " + unit + " partitions, -Xmx" + heapMb + "m";
        String label = "heap-" + unit + "-" + heapMb;
        try (ChildProcess job = icebergJob(name, label, INPUT_TOPICS, true, unit, heapMb, false, List.of())) {
            long started = awaitRunning(job);
            long finished = awaitCommitted(job, name, label, true, recordsPerAirline * INPUT_TOPICS.size(), timeout);
            System.out.printf(
                    Locale.ROOT,
                    "%s: sustained, %.1f s%n",
                    name,
                    Duration.ofNanos(finished - started).toMillis() / 1e3);
            return true;
        } catch (IllegalStateException failed) {
            // Out of memory (the JVM exits), a restart, or too slow: the note says which, as the cause matters.
            String reason = failed.getMessage().lines().findFirst().orElse("").replaceAll("; last lines of .*", "");
            System.out.printf(Locale.ROOT, "%s: not sustained (%s)%n", name, reason);
            heapFailures.add("-Xmx" + heapMb + "m " + unit + ": " + reason);
            return false;
        } finally {
            FileUtils.deleteDirectory(Paths.get(URI.create(warehouse(label))).toFile());
        }
    }

    /** The ingestion job on {@code topicNames} into a fresh warehouse, started but not awaited. */
    private ChildProcess icebergJob(
            String name,
            String label,
            List<String> topicNames,
            boolean flightTable,
            String partitionUnit,
            int heapMb,
            boolean profile,
            List<String> jobArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry-url",
                REGISTRY.url(),
                "--catalog-type",
                "hadoop",
                "--warehouse",
                warehouse(label),
                "--topics",
                String.join(",", topicNames),
                "--table-mapping",
                topicNames.get(0) + "=" + RAW_TABLES.get(0) + "," + topicNames.get(1) + "=" + RAW_TABLES.get(1),
                "--flight-mapping",
                topicNames.get(0) + "=skyone," + topicNames.get(1) + "=sunset",
                "--starting-offsets",
                "earliest",
                "--checkpoint-interval",
                CHECKPOINT_INTERVAL.toSeconds() + "s",
                // The job's default is month partitions; day partitions meet ~180 departure days in the generated
                // data, and every writer then holds ~180 open Parquet files per table (see the heap step).
                "--partition-spec." + RAW_TABLES.get(0) + "=" + partitionSpec(partitionUnit, DEPARTURE_COLUMNS.get(0)),
                "--partition-spec." + RAW_TABLES.get(1) + "=" + partitionSpec(partitionUnit, DEPARTURE_COLUMNS.get(1)),
                "--partition-spec." + FLIGHT_TABLE + "=" + partitionSpec(partitionUnit, "departure_time")));
        if (!flightTable) {
            args.add("--flight-table");
            args.add("none");
        }
        args.addAll(jobArgs);
        args.addAll(icebergJobArgs);
        return jobJvm(name, "dev.flinkkickstarter.avrotoiceberg.AvroToIcebergJob", heapMb, profile)
                .arguments(args)
                .start();
    }

    /** {@code unit(column)}, or {@code none} for unpartitioned tables (upsert keys leave out the departure time). */
    private static String partitionSpec(String unit, String column) {
        return unit.equals("none") ? "none" : unit + "(" + column + ")";
    }

    /** When the job reached RUNNING (its clock starts there). */
    private static long awaitRunning(ChildProcess job) throws IOException, InterruptedException {
        return awaitOutput(job, JOB_RUNNING);
    }

    /** When the job's log first contained {@code text}. */
    private static long awaitOutput(ChildProcess job, String text) throws IOException, InterruptedException {
        job.awaitOutput(Pattern.compile(Pattern.quote(text)), JOB_TIMEOUT);
        return System.nanoTime();
    }

    /** Waits until every record is a committed raw row (and flight row); returns when that was seen. */
    private long awaitCommitted(
            ChildProcess job, String name, String label, boolean flightTable, long total, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long rawRows = 0;
        long flightRows = flightTable ? 0 : total;
        try (IcebergRowCounts rows = new IcebergRowCounts(warehouse(label))) {
            // Every input record is one raw row and, with the flight table, one unified flight row.
            while (rawRows < total || flightRows < total) {
                checkState(
                        System.nanoTime() - deadline < 0,
                        "%s committed %s raw and %s flight rows of %s within %s%s",
                        name,
                        rawRows,
                        flightRows,
                        total,
                        timeout,
                        job.outputTail());
                job.checkAlive();
                checkNotRestarting(job);
                Thread.sleep(ICEBERG_POLL_INTERVAL.toMillis());
                rawRows = rows.committedRows(RAW_TABLES);
                if (flightTable) {
                    flightRows = rows.committedRows(List.of(FLIGHT_TABLE));
                }
            }
        }
        long finished = System.nanoTime();
        checkState(
                rawRows == total && flightRows == total,
                "%s committed %s raw and %s flight rows for %s records",
                name,
                rawRows,
                flightRows,
                total);
        return finished;
    }

    /** Iceberg's Kafka Connect sink, one connector per topic, from the first connector's creation to the last row. */
    private JobRun runConnectSink(KafkaConnectWorker worker, String temperature) throws Exception {
        String name = "Iceberg Kafka Connect sink, " + temperature + " worker";
        long total = recordsPerAirline * INPUT_TOPICS.size();
        List<String> connectors = new ArrayList<>();
        List<TableIdentifier> tables = new ArrayList<>();
        REGISTRY.resetRequestCount();
        try (IcebergRowCounts rows = new IcebergRowCounts(warehouse("kafka-connect"))) {
            long started = System.nanoTime();
            for (int airline = 0; airline < INPUT_TOPICS.size(); airline++) {
                String connector = "iceberg-" + temperature + "-" + airline;
                TableIdentifier table = connectTable(temperature, airline);
                worker.createConnector(connector, connectorConfig(INPUT_TOPICS.get(airline), table, airline));
                connectors.add(connector);
                tables.add(table);
            }
            long deadline = started + JOB_TIMEOUT.toNanos();
            long committed = 0;
            for (int poll = 0; committed < total; poll++) {
                checkState(
                        System.nanoTime() - deadline < 0,
                        "%s committed %s rows of %s within %s%s",
                        name,
                        committed,
                        total,
                        JOB_TIMEOUT,
                        worker.outputTail());
                worker.checkAlive();
                if (poll % 10 == 0) {
                    for (String connector : connectors) {
                        worker.checkNotFailed(connector);
                    }
                }
                Thread.sleep(ICEBERG_POLL_INTERVAL.toMillis());
                committed = rows.committedRows(tables);
            }
            long finished = System.nanoTime();
            checkState(committed == total, "%s committed %s rows for %s records", name, committed, total);
            for (String connector : connectors) {
                worker.deleteConnector(connector);
            }
            return progress(new JobRun(name, total, Duration.ofNanos(finished - started), REGISTRY.requestCount()));
        }
    }

    private static TableIdentifier connectTable(String temperature, int airline) {
        return TableIdentifier.of(
                "connect_" + temperature, RAW_TABLES.get(airline).name());
    }

    /** The sink as its documentation configures it, with the job's table layout and commit interval. */
    private Map<String, String> connectorConfig(String topic, TableIdentifier table, int airline) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "org.apache.iceberg.connect.IcebergSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        // Confluent wire format through the registry's own API: 4-byte ids, which Apicurio's Confluent API hands
        // out as content ids.
        config.put("value.converter", "io.apicurio.registry.utils.converter.AvroConverter");
        config.put(
                "value.converter.apicurio.registry.url",
                REGISTRY.url().replace(SchemaRegistryExtension.CONFLUENT_API_PATH, "/apis/registry/v2"));
        config.put("value.converter.apicurio.registry.as-confluent", "true");
        config.put("value.converter.apicurio.registry.use-id", "contentId");
        // Iceberg's own transform for the Kafka lineage columns the job writes into every row, under the same names
        // (kafka_topic, kafka_partition, kafka_offset, kafka_timestamp): both write rows of the same width.
        config.put("transforms", "kafkaLineage");
        config.put("transforms.kafkaLineage.type", "org.apache.iceberg.connect.transforms.KafkaMetadataTransform");
        config.put("transforms.kafkaLineage.field_name", "kafka");
        config.put("iceberg.catalog.type", "hadoop");
        config.put("iceberg.catalog.warehouse", warehouse("kafka-connect"));
        config.put("iceberg.tables", table.toString());
        config.put("iceberg.tables.auto-create-enabled", "true");
        config.put("iceberg.tables.default-partition-by", "month(" + DEPARTURE_COLUMNS.get(airline) + ")");
        // The job's default table property (dictionary encoding off); Parquet with zstd is both sides' default.
        config.put("iceberg.tables.auto-create-props.parquet.enable.dictionary", "false");
        config.put("iceberg.tables.auto-create-props.write.format.default", "parquet");
        config.put("iceberg.control.topic", "control-iceberg-" + table.namespace() + "-" + table.name());
        config.put("iceberg.control.commit.interval-ms", String.valueOf(CHECKPOINT_INTERVAL.toMillis()));
        return config;
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private ChildProcess.Builder jobJvm(String name, String mainClass, int heapMb, boolean profile) throws IOException {
        List<String> jvm = new ArrayList<>(List.of(
                "-Xmx" + heapMb + "m",
                // A heap trial fails fast instead of thrashing in GC.
                "-XX:+ExitOnOutOfMemoryError",
                // The job state changes: the benchmark reads RUNNING and RESTARTING from them.
                Log4jConfig.write(
                        output.resolve("job-log4j2.properties"),
                        "org.apache.flink.runtime.executiongraph.ExecutionGraph",
                        // When each checkpoint completes, and so when the rows it carries are committed.
                        "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
                        "dev.flinkkickstarter")));
        if (profile) {
            jvm.add(flightRecording(name));
        }
        jvm.addAll(
                Arrays.asList(System.getProperty("flink.jvm.opens", "").trim().split("\\s+")));
        return ChildProcess.java(name, mainClass).jvmOptions(jvm).log(output.resolve(fileName(name) + ".log"));
    }

    private static String flightRecording(String name) {
        return "-XX:StartFlightRecording=filename=" + recording(name) + ",settings=profile,dumponexit=true";
    }

    private static Path recording(String name) {
        return output.resolve(fileName(name) + ".jfr");
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9.-]+", "-");
    }

    private static String warehouse(String label) {
        return output.resolve("warehouse-" + label).toUri().toString();
    }

    private static Row registryRow(JobRun run) {
        // A client that asked per record would be near records/subject here; per subject it stays small.
        return new Row(
                "registry requests, " + run.name(),
                run.registryRequests(),
                "requests",
                "subjects",
                INPUT_TOPICS.size(),
                null,
                10.0);
    }

    /** A job in a local MiniCluster restarts for ever after a failure: fail the benchmark instead. */
    private static void checkNotRestarting(ChildProcess job) throws IOException {
        if (job.output().contains(JOB_RESTARTING)) {
            throw new IllegalStateException("The job failed and restarts" + job.outputTail());
        }
    }

    /** Each figure as soon as it is measured: a run that fails later still shows how far it got. */
    private static JobRun progress(JobRun run) {
        System.out.printf(
                Locale.ROOT,
                "%s: %,d records in %.1f s = %.0f records/s, %d registry requests%n",
                run.name(),
                run.records(),
                run.elapsed().toMillis() / 1000.0,
                run.recordsPerSecond(),
                run.registryRequests());
        return run;
    }

    private static Throughput progress(String tool, Throughput throughput) {
        System.out.printf(
                Locale.ROOT,
                "%s: %,d records, %.0f records/s, %.2f MB/s%n",
                tool,
                throughput.records(),
                throughput.recordsPerSecond(),
                throughput.megabytesPerSecond());
        return throughput;
    }

    private static double mebibytes(JobRun run, double meanValueSize) {
        return run.recordsPerSecond() * meanValueSize / (1 << 20);
    }

    private void recordLoad(String step) throws IOException {
        String[] load = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
        loadAverages.add(step + " " + load[0] + "/" + load[1] + "/" + load[2]);
    }
}
