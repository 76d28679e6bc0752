package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.avrotoiceberg.FlightPipeline.Flights;
import dev.flinkkickstarter.avrotoiceberg.FlightPipeline.Produced;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.datagen.BookingChanges;
import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.datagen.sunset.SunsetFlight;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upsert tables hold exactly one row per booking, the latest by Kafka offset, with cancellations
 * (records marked cancelled, and tombstones) deleted: read back with Iceberg's generic reader, which
 * applies the equality and position deletes. Every table (both raw tables and the flight table)
 * upserts here, so every assertion covers all three.
 */
class UpsertITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @TempDir
    Path warehouse;

    @AfterEach
    void disarm() {
        FailingOnceFileIO.disarm();
    }

    @Test
    void generatedUpdatesAndCancellationsLeaveTheLatestVersionOfEachBooking() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "upsert-generated", warehouse)
                .createTopicsAndSchemas(2)
                .withChanges(new BookingChanges(0.3, 0.1));
        Flights bookings = pipeline.produce(300);
        Flights produced = bookings.plus(tombstones(pipeline, bookings, 20));

        JobClient job = pipeline.start(upsertArgs(pipeline, "1s"));
        try {
            awaitFinalState(pipeline, produced);
        } finally {
            FlightPipeline.stop(job);
        }

        assertFinalState(pipeline, produced);
        assertThat(produced.skyOne().stream().filter(UpsertITCase::isDeletion)).hasSizeGreaterThan(30);
    }

    @Test
    void updatesInTheInsertsCheckpointAndInLaterOnesReplaceTheRow() throws Exception {
        FlightPipeline pipeline =
                new FlightPipeline(KAFKA, REGISTRY, "upsert-checkpoints", warehouse).createTopicsAndSchemas(2);
        // All of these are in Kafka before the job starts, so its first checkpoint (10 s in) holds them all.
        Flights bookings = pipeline.produce(40);
        Flights produced = bookings;
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            produced = produced.plus(repriced(pipeline, producer, bookings, 0, 10, 100)) // updated
                    .plus(cancelled(pipeline, producer, bookings, 10, 15)) // cancelled
                    .plus(tombstones(pipeline, producer, bookings, 15, 18)) // deleted by tombstone
                    .plus(repriced(pipeline, producer, bookings, 0, 5, 200)) // updated twice
                    .plus(repriced(pipeline, producer, bookings, 10, 11, 300)); // booked again after cancelling
        }

        JobClient job = pipeline.start(upsertArgs(pipeline, "10s"));
        Map<TableIdentifier, Long> firstCommits = new HashMap<>();
        try {
            awaitFinalState(pipeline, produced);
            for (TableIdentifier table : List.of(SKY_ONE_TABLE, SUNSET_TABLE, FLIGHT_TABLE)) {
                Table loaded = pipeline.catalog().loadTable(table);
                assertThat(loaded.snapshots())
                        .filteredOn(UpsertITCase::isJobCommit)
                        .as("%s: one commit, so inserts, updates and deletes shared a checkpoint", table)
                        .hasSize(1);
                firstCommits.put(table, loaded.currentSnapshot().sequenceNumber());
                // A key written earlier in the same checkpoint is deleted by position, not by equality.
                assertThat(summaryCount(loaded.currentSnapshot(), "added-position-deletes"))
                        .as("%s: position deletes", table)
                        .isPositive();
            }
            assertFinalState(pipeline, produced);

            // Later checkpoints: changes of rows committed before.
            try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
                produced = produced.plus(repriced(pipeline, producer, bookings, 20, 25, 400))
                        .plus(cancelled(pipeline, producer, bookings, 25, 27))
                        .plus(tombstones(pipeline, producer, bookings, 27, 29))
                        .plus(repriced(pipeline, producer, bookings, 15, 16, 500)) // booked again after a tombstone
                        .plus(repriced(pipeline, producer, bookings, 0, 1, 600)); // a third update
            }
            awaitFinalState(pipeline, produced);
            for (TableIdentifier table : List.of(SKY_ONE_TABLE, SUNSET_TABLE, FLIGHT_TABLE)) {
                Table loaded = pipeline.catalog().loadTable(table);
                long equalityDeletes = 0;
                for (Snapshot snapshot : loaded.snapshots()) {
                    if (isJobCommit(snapshot) && snapshot.sequenceNumber() > firstCommits.get(table)) {
                        equalityDeletes += summaryCount(snapshot, "added-equality-deletes");
                    }
                }
                assertThat(equalityDeletes)
                        .as("%s: equality deletes in the later commits", table)
                        .isPositive();
            }
        } finally {
            FlightPipeline.stop(job);
        }

        assertFinalState(pipeline, produced);
    }

    @Test
    void theFinalStateSurvivesFailuresInjectedMidStream() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "upsert-failures", warehouse)
                .createTopicsAndSchemas(2)
                .withChanges(new BookingChanges(0.3, 0.1));
        Flights produced = pipeline.produce(60);

        JobClient job =
                pipeline.start(upsertArgs(pipeline, "1s", "--catalog.io-impl", FailingOnceFileIO.class.getName()));
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, 1); // a checkpoint completed and committed
            // Three failures: the test cluster allows three restarts, so any other failure fails the test.
            List<FailingOnceFileIO.Target> failures = List.of(
                    FailingOnceFileIO.Target.DATA_FILE,
                    FailingOnceFileIO.Target.MANIFEST,
                    FailingOnceFileIO.Target.DATA_FILE);
            for (FailingOnceFileIO.Target target : failures) {
                FailingOnceFileIO.arm(target);
                Flights more = pipeline.produce(60);
                produced = produced.plus(more).plus(tombstones(pipeline, more, 3));
                FlightPipeline.awaitCondition(
                        FailingOnceFileIO::hasFailed, () -> "The injected " + target + " failure never happened");
            }
            awaitFinalState(pipeline, produced);
        } finally {
            FlightPipeline.stop(job);
        }

        assertFinalState(pipeline, produced);
    }

    /**
     * A cancellation written with an older writer schema than the table's: its row is narrower than the table, and
     * Iceberg 1.11's sink loses the row kind when it converts a row to another schema (apache/iceberg#18100), which
     * would turn the deletion into an insert. The cancellations arrive after a newer writer schema added a column,
     * on both partitions (so also on a decoder that never saw the newer schema).
     */
    @Test
    void aCancellationWrittenWithAnOlderWriterSchemaDeletesTheRow() throws Exception {
        FlightPipeline pipeline =
                new FlightPipeline(KAFKA, REGISTRY, "upsert-older-writer", warehouse).createTopicsAndSchemas(2);
        Flights bookings = pipeline.produce(20);

        JobClient job = pipeline.start(upsertArgs(pipeline, "1s"));
        Flights produced = bookings;
        Flights cancellations;
        String newerPosition;
        try {
            awaitFinalState(pipeline, produced);
            org.apache.avro.Schema newer =
                    FlightPipeline.withOptionalField(SkyOneFlight.getClassSchema(), "loyalty_tier");
            newerPosition = pipeline.produceSkyOne(newer, Map.of("loyalty_tier", "gold"));
            FlightPipeline.awaitCondition(
                    () -> positions(pipeline.rows(SKY_ONE_TABLE)).contains(newerPosition),
                    () -> "The newer writer schema's row never arrived");
            assertThat(pipeline.catalog().loadTable(SKY_ONE_TABLE).schema().findField("loyalty_tier"))
                    .isNotNull();

            try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
                cancellations = cancelled(pipeline, producer, bookings, 0, 8);
            }
            produced = produced.plus(cancellations);
            Flights expected = finalState(produced);
            Set<String> expectedSkyOne = positions(expected.skyOne());
            expectedSkyOne.add(newerPosition);
            FlightPipeline.awaitCondition(
                    () -> positions(pipeline.rows(SKY_ONE_TABLE)).equals(expectedSkyOne)
                            && positions(pipeline.rows(SUNSET_TABLE)).equals(positions(expected.sunset()))
                            && pipeline.rows(FLIGHT_TABLE).size()
                                    == expected.skyOne().size()
                                            + expected.sunset().size()
                                            + 1,
                    () -> "The cancellations written with the older schema never deleted their rows; Sky One has "
                            + pipeline.rows(SKY_ONE_TABLE).size() + " rows, expected " + expectedSkyOne.size());
        } finally {
            FlightPipeline.stop(job);
        }

        assertThat(cancellations.skyOne())
                .as("cancellations on both partitions")
                .extracting(Produced::partition)
                .contains(0, 1);
        Flights expected = finalState(produced);
        List<Record> skyOne = pipeline.rows(SKY_ONE_TABLE);
        assertThat(skyOne)
                .filteredOn(row -> FlightPipeline.position(row).equals(newerPosition))
                .singleElement()
                .satisfies(row -> assertThat(row.getField("loyalty_tier")).isEqualTo("gold"));
        assertRawTableMatches(
                skyOne.stream()
                        .filter(row -> !FlightPipeline.position(row).equals(newerPosition))
                        .toList(),
                expected.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), expected.sunset());
        assertFlightTableMatches(
                pipeline.rows(FLIGHT_TABLE).stream()
                        .filter(row -> !FlightPipeline.position(row).equals(newerPosition))
                        .toList(),
                expected);
    }

    private static String[] upsertArgs(FlightPipeline pipeline, String checkpointInterval, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--upsert-tables",
                "all",
                "--checkpoint-interval",
                checkpointInterval,
                // FlightPipeline partitions by month of departure, which an update changes: upsert needs none.
                "--partition-spec.airlines.skyone",
                "none",
                "--partition-spec.airlines.sunset",
                "none",
                "--partition-spec.airlines.flight",
                "bucket(4, confirmation_code)"));
        args.addAll(List.of(extra));
        return pipeline.jobArgs(args.toArray(String[]::new));
    }

    /** The latest record of each booking reference that is not a cancellation, per airline. */
    private static Flights finalState(Flights produced) {
        return new Flights(latestPerKey(produced.skyOne()), latestPerKey(produced.sunset()));
    }

    /** One producer, waiting for each ack: the production order is the offset order of each key's partition. */
    private static List<Produced<SpecificRecordBase>> latestPerKey(List<Produced<SpecificRecordBase>> produced) {
        Map<String, Produced<SpecificRecordBase>> latest = new LinkedHashMap<>();
        for (Produced<SpecificRecordBase> record : produced) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (isDeletion(record)) {
                latest.remove(key);
            } else {
                latest.put(key, record);
            }
        }
        return List.copyOf(latest.values());
    }

    private static boolean isDeletion(Produced<SpecificRecordBase> record) {
        return record.record() == null || Boolean.TRUE.equals(record.record().get(UpsertKeys.CANCELLED_COLUMN));
    }

    private static void awaitFinalState(FlightPipeline pipeline, Flights produced) {
        Flights expected = finalState(produced);
        FlightPipeline.awaitCondition(
                () -> positions(pipeline.rows(SKY_ONE_TABLE)).equals(positions(expected.skyOne()))
                        && positions(pipeline.rows(SUNSET_TABLE)).equals(positions(expected.sunset()))
                        && pipeline.rows(FLIGHT_TABLE).size()
                                == expected.skyOne().size() + expected.sunset().size(),
                () -> "The tables never reached the expected final state of "
                        + expected.skyOne().size()
                        + " Sky One and " + expected.sunset().size() + " Sunset Air bookings; Sky One has "
                        + pipeline.rows(SKY_ONE_TABLE).size() + " rows");
    }

    private static void assertFinalState(FlightPipeline pipeline, Flights produced) {
        Flights expected = finalState(produced);
        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), expected.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), expected.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), expected);
    }

    private static Set<String> positions(List<?> rowsOrRecords) {
        Set<String> positions = new HashSet<>();
        for (Object item : rowsOrRecords) {
            positions.add(
                    item instanceof Record row
                            ? FlightPipeline.position(row)
                            : FlightPipeline.position((Produced<?>) item));
        }
        return positions;
    }

    /** Tombstones for the keys of every third of the first {@code 3 * count} records of {@code produced}. */
    private static Flights tombstones(FlightPipeline pipeline, Flights produced, int count) {
        List<Produced<SpecificRecordBase>> skyOne = new ArrayList<>();
        List<Produced<SpecificRecordBase>> sunset = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (int i = 0; i < count; i++) {
                skyOne.add(FlightPipeline.sendTombstone(
                        producer,
                        pipeline.skyOneTopic,
                        produced.skyOne().get(i * 3).key()));
                sunset.add(FlightPipeline.sendTombstone(
                        producer,
                        pipeline.sunsetTopic,
                        produced.sunset().get(i * 3).key()));
            }
        }
        return new Flights(skyOne, sunset);
    }

    private static Flights tombstones(
            FlightPipeline pipeline, KafkaProducer<byte[], byte[]> producer, Flights bookings, int from, int to) {
        List<Produced<SpecificRecordBase>> skyOne = new ArrayList<>();
        List<Produced<SpecificRecordBase>> sunset = new ArrayList<>();
        for (int i = from; i < to; i++) {
            skyOne.add(FlightPipeline.sendTombstone(
                    producer, pipeline.skyOneTopic, bookings.skyOne().get(i).key()));
            sunset.add(FlightPipeline.sendTombstone(
                    producer, pipeline.sunsetTopic, bookings.sunset().get(i).key()));
        }
        return new Flights(skyOne, sunset);
    }

    /** Re-sends bookings {@code from..to-1} with their price raised by {@code cents} and departure an hour later. */
    private static Flights repriced(
            FlightPipeline pipeline,
            KafkaProducer<byte[], byte[]> producer,
            Flights bookings,
            int from,
            int to,
            int cents) {
        List<Produced<SpecificRecordBase>> skyOne = new ArrayList<>();
        List<Produced<SpecificRecordBase>> sunset = new ArrayList<>();
        BigDecimal raise = BigDecimal.valueOf(cents, 2);
        for (int i = from; i < to; i++) {
            SkyOneFlight sky = (SkyOneFlight) bookings.skyOne().get(i).record();
            skyOne.add(pipeline.send(
                    producer,
                    Airline.SKY_ONE,
                    pipeline.skyOneTopic,
                    SkyOneFlight.newBuilder(sky)
                            .setTicketPrice(sky.getTicketPrice().add(raise))
                            .setFlightDepartureTime(sky.getFlightDepartureTime().plus(Duration.ofHours(1)))
                            .setFlightArrivalTime(sky.getFlightArrivalTime().plus(Duration.ofHours(1)))
                            .build()));
            SunsetFlight sun = (SunsetFlight) bookings.sunset().get(i).record();
            sunset.add(pipeline.send(
                    producer,
                    Airline.SUNSET,
                    pipeline.sunsetTopic,
                    SunsetFlight.newBuilder(sun)
                            .setTotalPrice(sun.getTotalPrice().add(raise))
                            .setDepartureTime(sun.getDepartureTime().plus(Duration.ofHours(1)))
                            .setArrivalTime(sun.getArrivalTime().plus(Duration.ofHours(1)))
                            .build()));
        }
        return new Flights(skyOne, sunset);
    }

    /** Re-sends bookings {@code from..to-1} marked cancelled. */
    private static Flights cancelled(
            FlightPipeline pipeline, KafkaProducer<byte[], byte[]> producer, Flights bookings, int from, int to) {
        List<Produced<SpecificRecordBase>> skyOne = new ArrayList<>();
        List<Produced<SpecificRecordBase>> sunset = new ArrayList<>();
        for (int i = from; i < to; i++) {
            skyOne.add(pipeline.send(
                    producer,
                    Airline.SKY_ONE,
                    pipeline.skyOneTopic,
                    SkyOneFlight.newBuilder(
                                    (SkyOneFlight) bookings.skyOne().get(i).record())
                            .setCancelled(true)
                            .build()));
            sunset.add(pipeline.send(
                    producer,
                    Airline.SUNSET,
                    pipeline.sunsetTopic,
                    SunsetFlight.newBuilder(
                                    (SunsetFlight) bookings.sunset().get(i).record())
                            .setCancelled(true)
                            .build()));
        }
        return new Flights(skyOne, sunset);
    }

    /** A commit of the job's sink, not the empty snapshot the table was created with. */
    private static boolean isJobCommit(Snapshot snapshot) {
        return snapshot.summary().containsKey("flink.job-id");
    }

    private static long summaryCount(Snapshot snapshot, String property) {
        return Long.parseLong(Objects.requireNonNullElse(snapshot.summary().get(property), "0"));
    }
}
