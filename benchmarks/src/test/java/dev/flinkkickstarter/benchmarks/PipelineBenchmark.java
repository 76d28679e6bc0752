package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.benchmarks.BenchmarkReport.Row;
import dev.flinkkickstarter.benchmarks.KafkaPerformanceTools.Throughput;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.util.FileUtils;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline's throughput next to the transport's own limit, measured on one machine in one run (see
 * scripts/benchmark.sh): a Kafka broker in its own JVM and a schema registry behind a request-counting
 * proxy; Kafka's ProducerPerformance and ConsumerPerformance as references; datagen-job (at-least-once
 * and exactly-once) and avro-to-iceberg-job each in a local MiniCluster in a JVM of its own, profiled
 * with JFR.
 *
 * <p>Each reference runs right next to the figure it is compared with, so both meet the same machine
 * load; the ratios are the result, the absolute figures drift with the machine. Nothing here asserts on
 * time: the run fails only when a job fails or records go missing.
 */
class PipelineBenchmark {

    private static final int PARTITIONS = 2;
    private static final List<String> INPUT_TOPICS = List.of("airline.skyone", "airline.sunset");
    private static final List<String> EXACTLY_ONCE_TOPICS = List.of("benchmark.eos.skyone", "benchmark.eos.sunset");
    private static final String PRODUCER_PERFORMANCE_TOPIC = "benchmark.producer-performance";
    private static final List<TableIdentifier> RAW_TABLES =
            List.of(TableIdentifier.of("airlines", "skyone"), TableIdentifier.of("airlines", "sunset"));
    private static final TableIdentifier FLIGHT_TABLE = TableIdentifier.of("airlines", "flight");
    /**
     * Shorter than the job's 60 s default, so that the wait for the commit after the last record (up to one
     * interval) stays small next to the run; more checkpoints only cost the job time.
     */
    private static final String ICEBERG_CHECKPOINT_INTERVAL = "5s";
    /**
     * Table maintenance as the job runs it by default, but checked every 5 s and triggered every 3 commits
     * instead of every 60 s and 10 commits: the run lasts tens of seconds, and with the defaults it would
     * end before the first compaction.
     */
    private static final String DEFAULT_MAINTENANCE_ARGS =
            "--maintenance.check-interval 5s --maintenance.trigger-commits 3";

    private static final int VALUE_SIZE_SAMPLE = 20_000;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    /** Each poll refreshes three tables' metadata: often enough to see a commit, not so often that it competes. */
    private static final Duration ICEBERG_POLL_INTERVAL = Duration.ofMillis(200);

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(30);
    private static final String JOB_RUNNING = "switched from state CREATED to RUNNING";
    private static final String JOB_RESTARTING = "to RESTARTING";

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static Path output;
    private static long recordsPerAirline;
    private static List<String> icebergJobArgs;
    private static List<String> maintenanceArgs;
    private static KafkaBrokerProcess broker;
    private static KafkaTopics topics;

    private final List<String> loadAverages = new ArrayList<>();

    /**
     * An avro-to-iceberg-job run, the data files its tables hold when the last row is committed, and its longest
     * checkpoint: maintenance tasks take part in the job's checkpoints, and the Iceberg commits wait for them.
     */
    private record IcebergRun(JobRun job, long dataFiles, long longestCheckpointMillis) {}

    private static final Pattern CHECKPOINT_DURATION = Pattern.compile("checkpointDuration=(\\d+) ms");

    /** One job run: the records it moved, in how long, and the registry requests it made. */
    private record JobRun(String name, long records, Duration elapsed, int registryRequests, Path recording) {
        double recordsPerSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }
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
    void pipelineNextToKafkasOwnTools() throws Exception {
        long total = recordsPerAirline * INPUT_TOPICS.size();

        JobRun atLeastOnce = runDatagen("at-least-once", INPUT_TOPICS);
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
                        total,
                        recordSize,
                        "all",
                        output.resolve("producer-performance.log")));

        JobRun exactlyOnce = runDatagen("exactly-once", EXACTLY_ONCE_TOPICS);

        recordLoad("ConsumerPerformance");
        Throughput consumer = progress(
                "ConsumerPerformance",
                KafkaPerformanceTools.consumerPerformance(
                        broker.bootstrapServers(),
                        INPUT_TOPICS.get(0),
                        recordsPerAirline,
                        output.resolve("consumer-performance.log")));
        IcebergRun maintenanceOff = runAvroToIceberg(total, false);
        IcebergRun maintenanceOn = runAvroToIceberg(total, true);
        JobRun iceberg = maintenanceOn.job();

        BenchmarkReport report = new BenchmarkReport();
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
        report.add(new Row(
                "avro-to-iceberg-job, committed rows",
                iceberg.recordsPerSecond(),
                "records/s",
                "ConsumerPerformance (fetch)",
                consumer.recordsPerSecond(),
                0.4,
                null));
        report.add(new Row(
                iceberg.name(),
                iceberg.recordsPerSecond(),
                "records/s",
                maintenanceOff.job().name(),
                maintenanceOff.job().recordsPerSecond(),
                null,
                null));
        report.add(new Row(
                "data files after the run, maintenance on",
                maintenanceOn.dataFiles(),
                "files",
                "data files after the run, maintenance off",
                maintenanceOff.dataFiles(),
                null,
                null));
        report.add(new Row(
                "longest checkpoint, maintenance on",
                maintenanceOn.longestCheckpointMillis(),
                "ms",
                "longest checkpoint, maintenance off",
                maintenanceOff.longestCheckpointMillis(),
                null,
                null));
        for (JobRun run : List.of(atLeastOnce, exactlyOnce, maintenanceOff.job(), iceberg)) {
            // A client that asked per record would be near records/subject here; per subject it stays small.
            report.add(new Row(
                    "registry requests, " + run.name(),
                    run.registryRequests(),
                    "requests",
                    "subjects",
                    INPUT_TOPICS.size(),
                    null,
                    10.0));
        }
        report.note(String.format(
                Locale.ROOT,
                "%,d records per airline (%,d in all); mean value size %.1f B (Sky One %.1f B, Sunset %.1f B); MB = 2^20 bytes of values.",
                recordsPerAirline,
                total,
                meanValueSize,
                skyOneValueSize,
                sunsetValueSize));
        report.note("Jobs: each in a local MiniCluster (parallelism = "
                + Runtime.getRuntime().availableProcessors()
                + " cores) in its own JVM; broker, registry and Kafka tools in JVMs of their own; all on one machine.");
        report.note(
                "Job time: datagen from its first record in Kafka to its last one written (at-least-once) or committed (exactly-once, checkpoints every 10 s); avro-to-iceberg from the job's RUNNING state to the last row committed to Iceberg (checkpoints every "
                        + ICEBERG_CHECKPOINT_INTERVAL + ", tables partitioned by month"
                        + (icebergJobArgs.isEmpty() ? "" : ", extra flags: " + String.join(" ", icebergJobArgs))
                        + "); run twice, first with --maintenance false, then with table maintenance on ("
                        + String.join(" ", maintenanceArgs)
                        + "); data files = the three tables' current snapshots when the last row was committed.");
        report.note("Load average (1/5/15 min) before each step: " + String.join("; ", loadAverages) + ".");
        report.write(output);

        StringBuilder profiles = new StringBuilder();
        for (JobRun run : List.of(atLeastOnce, exactlyOnce, maintenanceOff.job(), iceberg)) {
            profiles.append(HotFrames.of(run.name(), run.recording()).describe(15))
                    .append('\n');
        }
        Files.writeString(output.resolve("profiles.txt"), profiles, StandardCharsets.UTF_8);
        System.out.println("\n" + report.text() + "\n" + profiles + "Results in " + output);
    }

    private JobRun runDatagen(String guarantee, List<String> topicNames) throws Exception {
        String name = "datagen-job " + guarantee;
        boolean exactlyOnce = guarantee.equals("exactly-once");
        long total = recordsPerAirline * topicNames.size();
        recordLoad(name);
        REGISTRY.resetRequestCount();
        Path recording = output.resolve("datagen-" + guarantee + ".jfr");
        try (ChildJvm job = jobJvm(name, "dev.flinkkickstarter.datagen.DataGeneratorJob", recording)
                .arguments(
                        "--bootstrap-servers", broker.bootstrapServers(),
                        "--schema-registry-url", REGISTRY.url(),
                        "--records-per-second", "unlimited",
                        "--max-records", String.valueOf(recordsPerAirline),
                        "--seed", "1",
                        "--delivery-guarantee", guarantee,
                        "--transactional-id-prefix", "benchmark-" + guarantee,
                        "--skyone-topic", topicNames.get(0),
                        "--sunset-topic", topicNames.get(1))
                .start()) {
            // Written records (log end offsets) show when the first record arrives; the visible ones
            // (last stable offsets under exactly-once) when the last one is durable for readers.
            long firstWrite = 0;
            long visible = -1;
            long lastChange = 0;
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (job.isAlive()) {
                checkState(System.nanoTime() - deadline < 0, "%s did not finish within %s", name, JOB_TIMEOUT);
                checkNotRestarting(job);
                long written = topics.offsets(topicNames, IsolationLevel.READ_UNCOMMITTED);
                long now = System.nanoTime();
                if (firstWrite == 0 && written > 0) {
                    firstWrite = now;
                }
                long nowVisible = exactlyOnce ? topics.offsets(topicNames, IsolationLevel.READ_COMMITTED) : written;
                if (nowVisible != visible) {
                    visible = nowVisible;
                    lastChange = now;
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            job.awaitSuccess(Duration.ZERO);
            long written = topics.offsets(topicNames, IsolationLevel.READ_UNCOMMITTED);
            long committed = topics.offsets(topicNames, IsolationLevel.READ_COMMITTED);
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
            return progress(new JobRun(
                    name, total, Duration.ofNanos(lastChange - firstWrite), REGISTRY.requestCount(), recording));
        }
    }

    private IcebergRun runAvroToIceberg(long total, boolean maintenance) throws Exception {
        String name = "avro-to-iceberg-job, maintenance " + (maintenance ? "on" : "off");
        recordLoad(name);
        REGISTRY.resetRequestCount();
        String runId = "avro-to-iceberg-maintenance-" + (maintenance ? "on" : "off");
        Path recording = output.resolve(runId + ".jfr");
        Path warehouse = output.resolve(runId + "-warehouse");
        List<TableIdentifier> allTables = new ArrayList<>(RAW_TABLES);
        allTables.add(FLIGHT_TABLE);
        try (IcebergRowCounts rows = new IcebergRowCounts(warehouse.toUri().toString());
                ChildJvm job = jobJvm(name, "dev.flinkkickstarter.iceberg.AvroToIcebergJob", recording)
                        .arguments(
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--schema-registry-url",
                                REGISTRY.url(),
                                "--catalog-type",
                                "hadoop",
                                "--warehouse",
                                warehouse.toUri().toString(),
                                "--topics",
                                String.join(",", INPUT_TOPICS),
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                ICEBERG_CHECKPOINT_INTERVAL,
                                // The default day() partitions meet ~180 departure days in the generated data:
                                // every writer then holds ~180 open Parquet files per table and runs out of heap
                                // (see the README). Month partitions keep a handful open.
                                "--partition-spec.airlines.skyone=month(flight_departure_time)",
                                "--partition-spec.airlines.sunset=month(departure_time)",
                                "--partition-spec.airlines.flight=month(departure_time)")
                        .arguments(maintenance ? maintenanceArgs : List.of("--maintenance", "false"))
                        .arguments(icebergJobArgs)
                        .start()) {
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            long started = 0;
            long rawRows = 0;
            long flightRows = 0;
            // Every input record is one raw row and one unified flight row.
            while (rawRows < total || flightRows < total) {
                checkState(
                        System.nanoTime() - deadline < 0,
                        "%s committed %s raw and %s flight rows of %s within %s%s",
                        name,
                        rawRows,
                        flightRows,
                        total,
                        JOB_TIMEOUT,
                        job.outputTail());
                job.checkAlive();
                checkNotRestarting(job);
                if (started == 0) {
                    if (job.output().contains(JOB_RUNNING)) {
                        started = System.nanoTime();
                    }
                } else {
                    rawRows = rows.committedRows(RAW_TABLES);
                    flightRows = rows.committedRows(List.of(FLIGHT_TABLE));
                }
                Thread.sleep(ICEBERG_POLL_INTERVAL.toMillis());
            }
            long finished = System.nanoTime();
            checkState(
                    rawRows == total && flightRows == total,
                    "%s committed %s raw and %s flight rows for %s records",
                    name,
                    rawRows,
                    flightRows,
                    total);
            long dataFiles = rows.dataFiles(allTables);
            long longestCheckpoint = longestCheckpointMillis(job.output());
            System.out.printf(
                    Locale.ROOT,
                    "%s: %,d data files in the three tables, longest checkpoint %,d ms%n",
                    name,
                    dataFiles,
                    longestCheckpoint);
            return new IcebergRun(
                    progress(new JobRun(
                            name, total, Duration.ofNanos(finished - started), REGISTRY.requestCount(), recording)),
                    dataFiles,
                    longestCheckpoint);
        }
    }

    private static long longestCheckpointMillis(String jobLog) {
        long longest = 0;
        Matcher durations = CHECKPOINT_DURATION.matcher(jobLog);
        while (durations.find()) {
            longest = Math.max(longest, Long.parseLong(durations.group(1)));
        }
        return longest;
    }

    private ChildJvm.Builder jobJvm(String name, String mainClass, Path recording) throws IOException {
        List<String> jvm = new ArrayList<>(List.of(
                "-Xmx2g",
                "-XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true",
                // The job state changes: the benchmark reads RUNNING and RESTARTING from them.
                Log4jConfig.write(
                        output.resolve("job-log4j2.properties"),
                        "org.apache.flink.runtime.executiongraph.ExecutionGraph",
                        // When each checkpoint completes, and so when the rows it carries are committed.
                        "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
                        "dev.flinkkickstarter")));
        jvm.addAll(
                Arrays.asList(System.getProperty("flink.jvm.opens", "").trim().split("\\s+")));
        return ChildJvm.builder(name, mainClass).jvmOptions(jvm).log(output.resolve(name.replace(' ', '-') + ".log"));
    }

    /** A job in a local MiniCluster restarts for ever after a failure: fail the benchmark instead. */
    private static void checkNotRestarting(ChildJvm job) throws IOException {
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
