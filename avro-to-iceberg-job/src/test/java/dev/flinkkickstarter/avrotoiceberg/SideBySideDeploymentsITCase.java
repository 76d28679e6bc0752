package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a data engineer running more than one copy of the ingestion job relies on: deployments on one
 * cluster never fence each other's dead-letter transactions, and records of aborted transactions never
 * reach a table.
 */
class SideBySideDeploymentsITCase {

    private static final int GOOD_PER_ROUND = 20;
    private static final int BAD_PER_ROUND = 3;
    private static final int ROUNDS = 3;

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @TempDir
    Path warehouse;

    /**
     * Two deployments (default flags, only their consumer groups differ, as they must) run at once, each
     * committing dead letters on every checkpoint while the other does too. With one shared
     * transactional id prefix their producers fence each other and fenced commits are dropped: dead
     * letters go missing. Both must end with exact rows and exact dead letters.
     */
    @Test
    void twoDeploymentsNeverFenceEachOther() throws Exception {
        FlightPipeline first =
                new FlightPipeline(KAFKA, REGISTRY, "staging", warehouse.resolve("staging")).createTopicsAndSchemas(2);
        FlightPipeline second =
                new FlightPipeline(KAFKA, REGISTRY, "dev", warehouse.resolve("dev")).createTopicsAndSchemas(2);
        assertThat(AvroToIcebergOptions.from(JobArguments.parse(first.jobArgs()))
                        .deadLetterTransactionalIdPrefix("staging"))
                .isNotEqualTo(AvroToIcebergOptions.from(JobArguments.parse(second.jobArgs()))
                        .deadLetterTransactionalIdPrefix("dev"));

        FlightPipeline.Flights firstFlights = first.produce(GOOD_PER_ROUND);
        FlightPipeline.Flights secondFlights = second.produce(GOOD_PER_ROUND);
        produceBad(first, BAD_PER_ROUND);
        produceBad(second, BAD_PER_ROUND);
        JobClient firstJob = first.start(first.jobArgs());
        JobClient secondJob = second.start(second.jobArgs());
        try {
            for (int round = 2; round <= ROUNDS; round++) {
                // Each round lands in later checkpoints, so both jobs commit dead letters several times.
                first.awaitRows(SKY_ONE_TABLE, (long) (round - 1) * GOOD_PER_ROUND);
                second.awaitRows(SKY_ONE_TABLE, (long) (round - 1) * GOOD_PER_ROUND);
                firstFlights = firstFlights.plus(first.produce(GOOD_PER_ROUND));
                secondFlights = secondFlights.plus(second.produce(GOOD_PER_ROUND));
                produceBad(first, BAD_PER_ROUND);
                produceBad(second, BAD_PER_ROUND);
            }
            for (FlightPipeline pipeline : List.of(first, second)) {
                pipeline.awaitRows(SKY_ONE_TABLE, (long) ROUNDS * GOOD_PER_ROUND);
                pipeline.awaitRows(SUNSET_TABLE, (long) ROUNDS * GOOD_PER_ROUND);
                pipeline.awaitRows(FLIGHT_TABLE, 2L * ROUNDS * GOOD_PER_ROUND);
                assertThat(KAFKA.readAllCommitted(
                                pipeline.skyOneTopic + ".dlq", ROUNDS * BAD_PER_ROUND, FlightPipeline.WAIT))
                        .as("dead letters of %s", pipeline.skyOneTopic)
                        .hasSize(ROUNDS * BAD_PER_ROUND);
                assertThat(KAFKA.readAllCommitted(
                                pipeline.sunsetTopic + ".dlq", ROUNDS * BAD_PER_ROUND, FlightPipeline.WAIT))
                        .as("dead letters of %s", pipeline.sunsetTopic)
                        .hasSize(ROUNDS * BAD_PER_ROUND);
            }
        } finally {
            FlightPipeline.stop(firstJob);
            FlightPipeline.stop(secondJob);
        }
        assertRawTableMatches(first.rows(SKY_ONE_TABLE), firstFlights.skyOne());
        assertRawTableMatches(first.rows(SUNSET_TABLE), firstFlights.sunset());
        assertFlightTableMatches(first.rows(FLIGHT_TABLE), firstFlights);
        assertRawTableMatches(second.rows(SKY_ONE_TABLE), secondFlights.skyOne());
        assertRawTableMatches(second.rows(SUNSET_TABLE), secondFlights.sunset());
        assertFlightTableMatches(second.rows(FLIGHT_TABLE), secondFlights);
    }

    /**
     * Copies of valid flights, written in transactions that are then aborted, sit in the topics between
     * committed records; a {@code read_uncommitted} consumer would write them. The job must write exactly
     * the committed records (one partition, so the last committed record arriving means all were read).
     */
    @Test
    void recordsOfAbortedTransactionsNeverReachATable() throws Exception {
        FlightPipeline pipeline =
                new FlightPipeline(KAFKA, REGISTRY, "aborted", warehouse.resolve("aborted")).createTopicsAndSchemas(1);
        FlightPipeline.Flights committed = pipeline.produce(10);
        Properties transactional = KAFKA.producerProperties();
        transactional.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aborting-writer");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional)) {
            producer.initTransactions();
            for (int i = 0; i < 3; i++) {
                producer.beginTransaction();
                for (FlightPipeline.Produced<?> flight : committed.skyOne()) {
                    producer.send(new ProducerRecord<>(flight.topic(), flight.key(), flight.value()));
                }
                for (FlightPipeline.Produced<?> flight : committed.sunset()) {
                    producer.send(new ProducerRecord<>(flight.topic(), flight.key(), flight.value()));
                }
                producer.flush();
                producer.abortTransaction();
                committed = committed.plus(pipeline.produce(10));
            }
        }

        JobClient job = pipeline.start(pipeline.jobArgs());
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, 40);
            pipeline.awaitRows(SUNSET_TABLE, 40);
            pipeline.awaitRows(FLIGHT_TABLE, 80);
        } finally {
            FlightPipeline.stop(job);
        }
        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), committed.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), committed.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), committed);
    }

    private static void produceBad(FlightPipeline pipeline, int perTopic) {
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (int i = 0; i < perTopic; i++) {
                for (String topic : List.of(pipeline.skyOneTopic, pipeline.sunsetTopic)) {
                    FlightPipeline.sendRaw(
                            producer, new ProducerRecord<>(topic, ("not avro " + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
