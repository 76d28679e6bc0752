package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.testing.CapturedLogs;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Table maintenance as the job runs it by default, driven through the job's flags and checked on the
 * tables only (so it holds for any sink that commits to them): small files get compacted and snapshots
 * expire while ingestion commits every second, a task that dies mid-compaction loses and doubles no
 * row and leaves no stray file, and orphan-file removal respects its minimum age. Each test writes its
 * own namespace, so no two tests' maintenance locks (named after the table) meet in this JVM. Orphan removal
 * runs on the local default (hadoop catalog) and on a REST catalog server.
 */
class TableMaintenanceITCase {

    /**
     * Each batch spreads over the ~6 month partitions and both Kafka partitions, so nearly every commit adds a
     * file per writer to each table partition.
     */
    private static final int RECORDS_PER_BATCH = 20;

    private static final int COMMITS = 60;
    private static final int TRIGGER_COMMITS = 10;
    private static final int KEEP_SNAPSHOTS = 5;
    private static final int WRITERS = 2;
    /**
     * Compaction runs every {@value #TRIGGER_COMMITS} commits and each commit adds at most one file per
     * writer to a partition; twice that allows for a run that starts one trigger late on a loaded machine.
     * Without compaction a partition reaches ~{@value #COMMITS} × {@value #WRITERS} files.
     */
    private static final int MAX_FILES_PER_PARTITION = 2 * TRIGGER_COMMITS * WRITERS;
    /** The generator spreads departures over 180 days: at most 7 month partitions per table. */
    private static final int MONTH_PARTITIONS = 7;
    /**
     * Expiry runs every {@value #TRIGGER_COMMITS} commits, keeps {@value #KEEP_SNAPSHOTS} and all younger
     * than 2 s (~2 commits); between runs up to twice {@value #TRIGGER_COMMITS} ingestion commits pile up,
     * and up to two compaction runs of one commit per partition (compaction commits each file group on its
     * own). Without expiry a table ends with more than {@value #COMMITS} snapshots.
     */
    private static final int MAX_SNAPSHOTS = KEEP_SNAPSHOTS + 2 * TRIGGER_COMMITS + 2 * MONTH_PARTITIONS;

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final IcebergRestCatalogExtension REST_CATALOG = new IcebergRestCatalogExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs(Level.INFO);

    @TempDir
    Path warehouse;

    @AfterEach
    void disarm() {
        FailingOnceFileIO.disarm();
    }

    /** The three tables of a test's own namespace. */
    private record Tables(TableIdentifier skyOne, TableIdentifier sunset, TableIdentifier flight) {
        static Tables in(String namespace) {
            return new Tables(
                    TableIdentifier.of(namespace, "skyone"),
                    TableIdentifier.of(namespace, "sunset"),
                    TableIdentifier.of(namespace, "flight"));
        }

        List<TableIdentifier> all() {
            return List.of(skyOne, sunset, flight);
        }

        String[] flags(FlightPipeline pipeline) {
            return new String[] {
                "--table-mapping",
                pipeline.skyOneTopic + "=" + skyOne + "," + pipeline.sunsetTopic + "=" + sunset,
                "--flight-table",
                flight.toString(),
                "--partition-spec." + skyOne,
                "month(flight_departure_time)",
                "--partition-spec." + sunset,
                "month(departure_time)",
                "--partition-spec." + flight,
                "month(departure_time)"
            };
        }
    }

    /**
     * In the ingestion job (the default), and in a job of its own ({@code --maintenance only}) beside an ingestion
     * job with {@code --maintenance false}: same flags otherwise, same bounds, same rows.
     */
    @ParameterizedTest(name = "in a job of its own: {0}")
    @ValueSource(booleans = {false, true})
    void keepsFilesAndSnapshotsBoundedOverSixtyCommitsWithExactRows(boolean inAJobOfItsOwn) throws Exception {
        String namespace = inAJobOfItsOwn ? "maintained_apart" : "maintained";
        Tables tables = Tables.in(namespace);
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, namespace, warehouse).createTopicsAndSchemas(2);
        List<String> maintenanceFlags = List.of(
                "--maintenance.check-interval",
                "1s",
                "--maintenance.trigger-commits",
                String.valueOf(TRIGGER_COMMITS),
                "--maintenance.keep-snapshots",
                String.valueOf(KEEP_SNAPSHOTS),
                "--maintenance.snapshot-max-age",
                "2s");
        List<JobClient> jobs = new ArrayList<>();
        if (inAJobOfItsOwn) {
            jobs.add(pipeline.start(jobArgs(pipeline, tables, maintenanceFlags, "--maintenance", "false")));
            jobs.add(pipeline.start(jobArgs(pipeline, tables, maintenanceFlags, "--maintenance", "only")));
        } else {
            jobs.add(pipeline.start(jobArgs(pipeline, tables, maintenanceFlags)));
        }
        FlightPipeline.Flights flights = new FlightPipeline.Flights(List.of(), List.of());
        Map<TableIdentifier, Set<Long>> ingestionCommits = new HashMap<>();
        Map<TableIdentifier, Integer> mostFilesInAPartition = new HashMap<>();
        Map<TableIdentifier, Integer> mostSnapshots = new HashMap<>();
        Set<TableIdentifier> compacted = new HashSet<>();
        long started = System.nanoTime();
        try {
            // Rows keep arriving, so every checkpoint commits; polls see each ingestion commit, as expiry keeps
            // every snapshot younger than 2 s (a missed one would only make the run longer).
            while (tables.all().stream()
                    .anyMatch(table ->
                            ingestionCommits.getOrDefault(table, Set.of()).size() < COMMITS)) {
                assertThat(Duration.ofNanos(System.nanoTime() - started))
                        .as("time to see %s ingestion commits per table; seen: %s", COMMITS, ingestionCommits)
                        .isLessThan(FlightPipeline.WAIT);
                flights = flights.plus(pipeline.produce(RECORDS_PER_BATCH));
                for (TableIdentifier identifier : tables.all()) {
                    Table table = pipeline.catalog().loadTable(identifier);
                    for (Snapshot snapshot : table.snapshots()) {
                        if (DataOperations.APPEND.equals(snapshot.operation())
                                && snapshot.summary().containsKey("flink.job-id")) { // not the table's empty first
                            ingestionCommits
                                    .computeIfAbsent(identifier, unused -> new HashSet<>())
                                    .add(snapshot.snapshotId());
                        } else if (DataOperations.REPLACE.equals(snapshot.operation())) {
                            compacted.add(identifier);
                        }
                    }
                    mostFilesInAPartition.merge(identifier, mostFilesInAPartition(table), Math::max);
                    mostSnapshots.merge(identifier, snapshotCount(table), Math::max);
                }
                Thread.sleep(200);
            }
            awaitAllRows(pipeline, tables, flights);
        } finally {
            for (JobClient job : jobs) {
                FlightPipeline.stop(job);
            }
        }
        System.out.printf(
                "%s ingestion commits per table in %d s; most data files in a partition %s; most snapshots %s%n",
                COMMITS,
                Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                mostFilesInAPartition,
                mostSnapshots);

        assertThat(compacted).as("tables with a compaction snapshot").containsExactlyInAnyOrderElementsOf(tables.all());
        for (TableIdentifier table : tables.all()) {
            assertThat(mostFilesInAPartition.get(table))
                    .as("most data files in one partition of %s over the run", table)
                    .isLessThanOrEqualTo(MAX_FILES_PER_PARTITION);
            assertThat(mostSnapshots.get(table))
                    .as("most snapshots of %s over the run", table)
                    .isLessThanOrEqualTo(MAX_SNAPSHOTS);
            // Every v2 snapshot takes the next sequence number: all ever committed minus those left went.
            Table loaded = pipeline.catalog().loadTable(table);
            long expired =
                    ((HasTableOperations) loaded).operations().current().lastSequenceNumber() - snapshotCount(loaded);
            assertThat(reportedExpiredSnapshots(table))
                    .as("expired snapshots of %s the job reported, of %s expired", table, expired)
                    .isPositive()
                    .isLessThanOrEqualTo(expired);
        }
        assertRawTableMatches(pipeline.rows(tables.skyOne()), flights.skyOne());
        assertRawTableMatches(pipeline.rows(tables.sunset()), flights.sunset());
        assertFlightTableMatches(pipeline.rows(tables.flight()), flights);
        assertThat(pipeline.committedRows(tables.flight()))
                .isEqualTo(flights.skyOne().size() + flights.sunset().size());
    }

    @Test
    void aTaskThatDiesMidCompactionLosesNoRowAndLeavesNoStrayFile() throws Exception {
        Tables tables = Tables.in("crashed");
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "crashed", warehouse).createTopicsAndSchemas(2);
        FailingOnceFileIO.arm(FailingOnceFileIO.Target.COMPACTED_DATA_FILE);
        JobClient job = pipeline.start(jobArgs(
                pipeline,
                tables,
                "--catalog.io-impl",
                FailingOnceFileIO.class.getName(),
                "--maintenance.check-interval",
                "1s",
                "--maintenance.trigger-commits",
                "5",
                "--maintenance.orphan-min-age",
                "10s",
                "--maintenance.orphan-cleanup-interval",
                "2s"));
        FlightPipeline.Flights flights = new FlightPipeline.Flights(List.of(), List.of());
        try {
            while (!FailingOnceFileIO.hasFailed()) {
                flights = flights.plus(pipeline.produce(RECORDS_PER_BATCH));
                awaitAllRows(pipeline, tables, flights);
                assertThat(flights.skyOne())
                        .as("records produced before a compaction started")
                        .hasSizeLessThan(2_000);
            }
            Instant crashed = Instant.now();
            // Ingestion goes on; maintenance restarts, compacts again, and in time removes the crashed run's file.
            List<String> problems = List.of("not checked yet");
            long deadline = System.nanoTime() + FlightPipeline.WAIT.toNanos();
            while (!problems.isEmpty() && System.nanoTime() < deadline) {
                flights = flights.plus(pipeline.produce(2));
                awaitAllRows(pipeline, tables, flights);
                problems = new ArrayList<>();
                for (TableIdentifier identifier : tables.all()) {
                    problems.addAll(fileProblems(pipeline.catalog().loadTable(identifier), crashed));
                }
                Thread.sleep(500);
            }
            assertThat(problems)
                    .as("stray or missing files, or tables not compacted since the crash")
                    .isEmpty();
        } finally {
            FlightPipeline.stop(job);
        }

        assertRawTableMatches(pipeline.rows(tables.skyOne()), flights.skyOne());
        assertRawTableMatches(pipeline.rows(tables.sunset()), flights.sunset());
        assertFlightTableMatches(pipeline.rows(tables.flight()), flights);
    }

    /** On the local default (hadoop catalog, LocalFileIO) and on a REST catalog server (Iceberg's own FileIO). */
    @ParameterizedTest(name = "{0} catalog")
    @ValueSource(strings = {"hadoop", "rest"})
    void removesAnOrphanFileOlderThanTheMinimumAgeAndKeepsAYoungOne(String catalogType) throws Exception {
        Tables tables = Tables.in("orphans_" + catalogType);
        FlightPipeline pipeline = catalogType.equals("rest")
                ? new FlightPipeline(KAFKA, REGISTRY, "orphans-rest", REST_CATALOG.warehouse())
                        .withCatalogFlags(Map.of("catalog-type", "rest", "catalog.uri", REST_CATALOG.uri()))
                : new FlightPipeline(KAFKA, REGISTRY, "orphans-hadoop", warehouse);
        pipeline.createTopicsAndSchemas(2);
        JobClient job = pipeline.start(jobArgs(
                pipeline,
                tables,
                "--maintenance.check-interval",
                "1s",
                "--maintenance.orphan-min-age",
                "1h",
                "--maintenance.orphan-cleanup-interval",
                "1s"));
        FlightPipeline.Flights flights = pipeline.produce(RECORDS_PER_BATCH);
        try {
            awaitAllRows(pipeline, tables, flights);
            Path data = localPath(pipeline.catalog().loadTable(tables.skyOne()).location())
                    .resolve("data");
            Path old = Files.writeString(data.resolve("left-by-a-failed-write.parquet"), "not really parquet");
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
            Path young = Files.writeString(data.resolve("maybe-still-being-committed.parquet"), "not really parquet");

            long deadline = System.nanoTime() + FlightPipeline.WAIT.toNanos();
            while (Files.exists(old) && System.nanoTime() < deadline) {
                // The table keeps being written to meanwhile, as in production.
                flights = flights.plus(pipeline.produce(2));
                awaitAllRows(pipeline, tables, flights);
                Thread.sleep(500);
            }
            assertThat(old).as("orphan older than the minimum age").doesNotExist();
            assertThat(young).as("orphan younger than the minimum age").exists();
        } finally {
            FlightPipeline.stop(job);
        }

        assertRawTableMatches(pipeline.rows(tables.skyOne()), flights.skyOne());
        assertRawTableMatches(pipeline.rows(tables.sunset()), flights.sunset());
        assertFlightTableMatches(pipeline.rows(tables.flight()), flights);
    }

    private static String[] jobArgs(FlightPipeline pipeline, Tables tables, String... maintenanceFlags) {
        return jobArgs(pipeline, tables, List.of(maintenanceFlags));
    }

    private static String[] jobArgs(
            FlightPipeline pipeline, Tables tables, List<String> maintenanceFlags, String... moreFlags) {
        List<String> extra = new ArrayList<>(List.of(tables.flags(pipeline)));
        extra.addAll(maintenanceFlags);
        extra.addAll(List.of(moreFlags));
        return pipeline.jobArgs(extra.toArray(String[]::new));
    }

    private static void awaitAllRows(FlightPipeline pipeline, Tables tables, FlightPipeline.Flights flights) {
        pipeline.awaitRows(tables.skyOne(), flights.skyOne().size());
        pipeline.awaitRows(tables.sunset(), flights.sunset().size());
        pipeline.awaitRows(
                tables.flight(), flights.skyOne().size() + flights.sunset().size());
    }

    private static List<FileScanTask> currentFiles(Table table) {
        List<FileScanTask> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            tasks.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static int mostFilesInAPartition(Table table) {
        Map<String, Integer> filesPerPartition = new HashMap<>();
        for (FileScanTask task : currentFiles(table)) {
            filesPerPartition.merge(task.spec().partitionToPath(task.file().partition()), 1, Integer::sum);
        }
        return filesPerPartition.values().stream().max(Integer::compare).orElse(0);
    }

    /** The sum of the job's "Expired N snapshots of Iceberg table T" log lines for {@code table}. */
    private long reportedExpiredSnapshots(TableIdentifier table) {
        Pattern line = Pattern.compile(ExpiredSnapshotsReport.class.getName()
                + " Expired (\\d+) snapshots of Iceberg table " + Pattern.quote(table.toString()) + ":.*");
        long reported = 0;
        for (String captured : logs.lines()) {
            Matcher matcher = line.matcher(captured);
            if (matcher.matches()) {
                reported += Long.parseLong(matcher.group(1));
            }
        }
        return reported;
    }

    private static int snapshotCount(Table table) {
        int count = 0;
        for (Snapshot ignored : table.snapshots()) {
            count++;
        }
        return count;
    }

    /**
     * What is wrong with {@code table}'s data files: a file the current snapshot references that does not
     * exist, a file under {@code data/} that no snapshot references, or no compaction committed since
     * {@code since}. Empty when all is well.
     */
    private static List<String> fileProblems(Table table, Instant since) {
        List<String> problems = new ArrayList<>();
        Set<Path> referenced = new HashSet<>();
        boolean compactedSince = false;
        for (Snapshot snapshot : table.snapshots()) {
            compactedSince |= DataOperations.REPLACE.equals(snapshot.operation())
                    && snapshot.timestampMillis() > since.toEpochMilli();
            try (CloseableIterable<FileScanTask> tasks =
                    table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
                tasks.forEach(task -> referenced.add(localPath(task.file().location())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!compactedSince) {
            problems.add(table.name() + ": no compaction since the crash");
        }
        for (FileScanTask task : currentFiles(table)) {
            Path file = localPath(task.file().location());
            if (!Files.exists(file)) {
                problems.add(table.name() + ": missing " + file);
            }
        }
        try (Stream<Path> files = Files.walk(localPath(table.location()).resolve("data"))) {
            files.filter(Files::isRegularFile)
                    // Hadoop's checksum files beside each data file (the failing FileIO is Hadoop's) are not table
                    // files.
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .filter(file -> !referenced.contains(file))
                    .forEach(file -> problems.add(table.name() + ": unreferenced " + file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return problems;
    }

    private static Path localPath(String location) {
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    }
}
