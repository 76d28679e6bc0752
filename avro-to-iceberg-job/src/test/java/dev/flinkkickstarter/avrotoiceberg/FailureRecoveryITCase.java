package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a failure, with the FileIO a local warehouse uses by default ({@link
 * dev.flinkkickstarter.common.iceberg.LocalFileIO}): half the records (and some bad ones) are
 * committed, then a storage failure kills the job mid-stream (alternately while writing a data file and while writing a manifest during a
 * checkpoint), the job restarts from its last completed checkpoint, and the tables must still hold
 * every record exactly once. Repeated because lost or doubled commits are rare races, not
 * deterministic bugs.
 */
class FailureRecoveryITCase {

    private static final int RECORDS_PER_HALF = 50;
    private static final int BAD_PER_HALF = 5;

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

    @RepeatedTest(20)
    void recoversWithoutLossOrDuplicates(RepetitionInfo repetition) throws Exception {
        FailingOnceFileIO.Target target = repetition.getCurrentRepetition() % 2 == 0
                ? FailingOnceFileIO.Target.MANIFEST
                : FailingOnceFileIO.Target.DATA_FILE;
        FlightPipeline pipeline = new FlightPipeline(
                        KAFKA, REGISTRY, "recovery" + repetition.getCurrentRepetition(), warehouse)
                .createTopicsAndSchemas(2);
        FlightPipeline.Flights flights = pipeline.produce(RECORDS_PER_HALF);
        produceBadRecords(pipeline, BAD_PER_HALF);

        JobClient job = pipeline.start(pipeline.jobArgs("--catalog.io-impl", FailingOnceFileIO.class.getName()));
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, 1); // at least one checkpoint completed and committed
            FailingOnceFileIO.arm(target);
            flights = flights.plus(pipeline.produce(RECORDS_PER_HALF));
            produceBadRecords(pipeline, BAD_PER_HALF);

            FlightPipeline.awaitCondition(
                    FailingOnceFileIO::hasFailed, () -> "The injected " + target + " failure never happened");
            pipeline.awaitRows(SKY_ONE_TABLE, 2L * RECORDS_PER_HALF);
            pipeline.awaitRows(SUNSET_TABLE, 2L * RECORDS_PER_HALF);
            pipeline.awaitRows(FLIGHT_TABLE, 4L * RECORDS_PER_HALF);
            // The records of the failed checkpoint were replayed; their dead letters must not be doubled.
            assertThat(KAFKA.readAllCommitted(pipeline.skyOneTopic + ".dlq", 2 * BAD_PER_HALF, FlightPipeline.WAIT))
                    .hasSize(2 * BAD_PER_HALF);
            FlightPipeline.awaitCondition(
                    () -> restarts(job) > 0, () -> "The job reports no restart after the injected failure");
        } finally {
            FlightPipeline.stop(job);
        }

        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), flights.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), flights.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), flights);
        assertThat(pipeline.committedRows(FLIGHT_TABLE)).isEqualTo(4L * RECORDS_PER_HALF);
    }

    /**
     * A producer registers a new version (an added field) while the job runs, and a storage failure hits before
     * the rows that need the new column are committed; three times in a row, a new field each time. After each
     * restart from the last checkpoint, every value of every version must be in the table exactly once.
     */
    @Test
    void keepsNewFieldsValuesAcrossAFailureBeforeTheirFirstCommit() throws Exception {
        FlightPipeline pipeline =
                new FlightPipeline(KAFKA, REGISTRY, "recovery-evolve", warehouse).createTopicsAndSchemas(2);
        String subject = ConfluentSchemaCoder.valueSubject(pipeline.skyOneTopic);
        pipeline.setCompatibilityNone(subject);
        FlightPipeline.Flights v1Flights = pipeline.produce(RECORDS_PER_HALF);
        Map<String, Map<String, String>> extrasByPosition = new HashMap<>();
        org.apache.avro.Schema schema = SkyOneFlight.getClassSchema();
        List<String> extraColumns = new ArrayList<>();

        JobClient job = pipeline.start(pipeline.jobArgs("--catalog.io-impl", FailingOnceFileIO.class.getName()));
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, RECORDS_PER_HALF);
            for (int version = 2; version <= 4; version++) {
                String column = "extra_v" + version;
                extraColumns.add(column);
                schema = FlightPipeline.withOptionalField(schema, column);
                pipeline.registryClient().register(subject, schema);
                FailingOnceFileIO.Target target =
                        version % 2 == 0 ? FailingOnceFileIO.Target.DATA_FILE : FailingOnceFileIO.Target.MANIFEST;
                FailingOnceFileIO.arm(target);
                for (int i = 0; i < 10; i++) {
                    Map<String, String> extras = new HashMap<>();
                    for (String extra : extraColumns) {
                        extras.put(extra, extra + "-" + i);
                    }
                    extrasByPosition.put(pipeline.produceSkyOne(schema, extras), extras);
                    v1Flights = v1Flights.plus(pipeline.produce(1));
                }
                FlightPipeline.awaitCondition(
                        FailingOnceFileIO::hasFailed, () -> "The injected " + target + " failure never happened");
                pipeline.awaitRows(SKY_ONE_TABLE, v1Flights.skyOne().size() + extrasByPosition.size());
                pipeline.awaitRows(SUNSET_TABLE, v1Flights.sunset().size());
            }
        } finally {
            FlightPipeline.stop(job);
        }

        List<Record> rows = pipeline.rows(SKY_ONE_TABLE);
        assertThat(rows).hasSize(v1Flights.skyOne().size() + extrasByPosition.size());
        Map<String, Record> byPosition = new HashMap<>();
        rows.forEach(row -> assertThat(byPosition.put(FlightPipeline.position(row), row))
                .as("duplicate row %s", FlightPipeline.position(row))
                .isNull());
        extrasByPosition.forEach((position, extras) -> {
            Record row = byPosition.get(position);
            assertThat(row).as("row of %s", position).isNotNull();
            for (String column : extraColumns) {
                assertThat(row.getField(column))
                        .as("%s of %s", column, position)
                        .isEqualTo(extras.get(column));
            }
        });
        assertRawTableMatches(
                rows.stream()
                        .filter(row -> !extrasByPosition.containsKey(FlightPipeline.position(row)))
                        .toList(),
                v1Flights.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), v1Flights.sunset());
        assertThat(pipeline.committedRows(FLIGHT_TABLE))
                .isEqualTo(v1Flights.skyOne().size() + v1Flights.sunset().size() + extrasByPosition.size());
    }

    private static void produceBadRecords(FlightPipeline pipeline, int count) {
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (int i = 0; i < count; i++) {
                FlightPipeline.sendRaw(
                        producer,
                        new ProducerRecord<>(pipeline.skyOneTopic, ("not avro " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static long restarts(JobClient job) {
        try {
            return TestClusters.restarts(FLINK, job.getJobID());
        } catch (Exception e) {
            return -1; // not reported yet
        }
    }
}
