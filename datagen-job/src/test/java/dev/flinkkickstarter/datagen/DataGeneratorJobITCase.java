package dev.flinkkickstarter.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.datagen.sunset.SunsetFlight;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the job's {@code main} on a Flink MiniCluster against a real Kafka broker and a real schema
 * registry, bounded by {@code --max-records}, and reads back what it committed: without faults, and
 * with failures injected mid-run, where exactly-once and at-least-once must differ.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hung job fails the test instead of the build's fork timeout
class DataGeneratorJobITCase {

    private static final int RECORDS_PER_AIRLINE = 1_500;
    private static final long SEED = 20261125L;
    private static final String DEPARTURES_FROM = "2026-12-01";
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(1);

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .setConfiguration(boundedRestarts())
            .build());

    @Test
    void exactlyOnceCommitsEveryRecordExactlyOnce() throws Exception {
        String skyOneTopic = "exactly-once.skyone";
        String sunsetTopic = "exactly-once.sunset";
        KAFKA.createTopic(skyOneTopic, 3);
        KAFKA.createTopic(sunsetTopic, 3);

        DataGeneratorJob.main(args(skyOneTopic, sunsetTopic, "exactly-once"));

        assertThat(readCommitted(Airline.SKY_ONE, skyOneTopic))
                .hasSize(RECORDS_PER_AIRLINE)
                .containsExactlyInAnyOrderElementsOf(expected(Airline.SKY_ONE));
        assertThat(readCommitted(Airline.SUNSET, sunsetTopic))
                .hasSize(RECORDS_PER_AIRLINE)
                .containsExactlyInAnyOrderElementsOf(expected(Airline.SUNSET));
    }

    @Test
    void atLeastOnceDeliversEveryBooking() throws Exception {
        String skyOneTopic = "at-least-once.skyone";
        String sunsetTopic = "at-least-once.sunset";
        KAFKA.createTopic(skyOneTopic, 2);
        KAFKA.createTopic(sunsetTopic, 2);

        DataGeneratorJob.main(args(skyOneTopic, sunsetTopic, "at-least-once"));

        List<SkyOneFlight> skyOne = readCommitted(Airline.SKY_ONE, skyOneTopic);
        assertThat(skyOne).hasSizeGreaterThanOrEqualTo(RECORDS_PER_AIRLINE);
        assertThat(keys(Airline.SKY_ONE, skyOne)).isEqualTo(keys(Airline.SKY_ONE, expected(Airline.SKY_ONE)));
        assertThat(skyOne).containsAll(expected(Airline.SKY_ONE));

        List<SunsetFlight> sunset = readCommitted(Airline.SUNSET, sunsetTopic);
        assertThat(sunset).hasSizeGreaterThanOrEqualTo(RECORDS_PER_AIRLINE);
        assertThat(keys(Airline.SUNSET, sunset)).isEqualTo(keys(Airline.SUNSET, expected(Airline.SUNSET)));
        assertThat(sunset).containsAll(expected(Airline.SUNSET));
    }

    /**
     * Three task failures, each after records were sent but before the checkpoint covering them: the
     * restarted task replays them from the last checkpoint. {@code read_committed} readers must still
     * see every record exactly once.
     */
    @Test
    void exactlyOnceCommitsEveryRecordExactlyOnceAcrossFailures() throws Exception {
        String skyOneTopic = "faults-exactly-once.skyone";
        String sunsetTopic = "faults-exactly-once.sunset";
        KAFKA.createTopic(skyOneTopic, 2);
        KAFKA.createTopic(sunsetTopic, 2);

        runWithFailures(skyOneTopic, sunsetTopic, "exactly-once");

        assertThat(readCommitted(Airline.SKY_ONE, skyOneTopic))
                .hasSize(RECORDS_PER_AIRLINE)
                .containsExactlyInAnyOrderElementsOf(expected(Airline.SKY_ONE));
        assertThat(readCommitted(Airline.SUNSET, sunsetTopic))
                .hasSize(RECORDS_PER_AIRLINE)
                .containsExactlyInAnyOrderElementsOf(expected(Airline.SUNSET));
    }

    /**
     * The same failures with at-least-once: nothing is lost, but the replayed records are there twice.
     * That duplicates appear is what shows the exactly-once test above can tell the two apart.
     */
    @Test
    void atLeastOnceDuplicatesRecordsAcrossFailures() throws Exception {
        String skyOneTopic = "faults-at-least-once.skyone";
        String sunsetTopic = "faults-at-least-once.sunset";
        KAFKA.createTopic(skyOneTopic, 2);
        KAFKA.createTopic(sunsetTopic, 2);

        runWithFailures(skyOneTopic, sunsetTopic, "at-least-once");

        List<SkyOneFlight> skyOne = readCommitted(Airline.SKY_ONE, skyOneTopic);
        List<SunsetFlight> sunset = readCommitted(Airline.SUNSET, sunsetTopic);
        assertThat(skyOne).containsAll(expected(Airline.SKY_ONE));
        assertThat(sunset).containsAll(expected(Airline.SUNSET));
        assertThat(keys(Airline.SKY_ONE, skyOne)).isEqualTo(keys(Airline.SKY_ONE, expected(Airline.SKY_ONE)));
        assertThat(keys(Airline.SUNSET, sunset)).isEqualTo(keys(Airline.SUNSET, expected(Airline.SUNSET)));
        assertThat(skyOne.size() + sunset.size())
                .as("records read, duplicates included")
                .isGreaterThan(2 * RECORDS_PER_AIRLINE);
    }

    private static void runWithFailures(String skyOneTopic, String sunsetTopic, String deliveryGuarantee)
            throws Exception {
        // Both airlines together send at least 3000 records (more with replays): fail at 600, 1500, 2400.
        FailingPartitioner.failAt(List.of(600L, 1500L, 2400L));
        List<String> args = new ArrayList<>(List.of(args(skyOneTopic, sunsetTopic, deliveryGuarantee)));
        args.addAll(List.of(
                "--producer.partitioner.class",
                FailingPartitioner.class.getName(),
                // About 1.5 s of records per airline, so failures fall between checkpoints, not after the end.
                "--records-per-second",
                "1000"));
        DataGeneratorJob.main(args.toArray(String[]::new));
        assertThat(FailingPartitioner.failures()).as("injected failures").isEqualTo(3);
    }

    private static String[] args(String skyOneTopic, String sunsetTopic, String deliveryGuarantee) {
        return new String[] {
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--schema-registry-url",
            REGISTRY.url(),
            "--airlines",
            "skyone,sunset",
            "--skyone-topic",
            skyOneTopic,
            "--sunset-topic",
            sunsetTopic,
            "--max-records",
            Integer.toString(RECORDS_PER_AIRLINE),
            "--records-per-second",
            "unlimited",
            "--seed",
            Long.toString(SEED),
            "--departures-from",
            DEPARTURES_FROM,
            "--delivery-guarantee",
            deliveryGuarantee,
            "--transactional-id-prefix",
            "datagen-it-" + deliveryGuarantee,
            // Two subtasks share each airline's index range: the records must not depend on that.
            "--parallelism",
            "2",
            // Short, so a few checkpoints (and so transactions) happen before the final one.
            "--checkpoint-interval",
            "300ms"
        };
    }

    /**
     * Every record committed to {@code topic}, checked to be in Confluent wire format with the
     * schema id registered for {@code <topic>-value}, keyed by its booking reference, and decoded
     * with the writer schema fetched from the registry.
     */
    private static <T extends SpecificRecordBase> List<T> readCommitted(Airline<T> airline, String topic)
            throws IOException {
        SchemaRegistryClient registry =
                SchemaRegistryClient.create(SchemaRegistrySettings.of(REGISTRY.clientProperties()));
        int registeredId =
                registry.latest(ConfluentSchemaCoder.valueSubject(topic)).id();
        Schema writerSchema = registry.getById(registeredId);
        Schema readerSchema = SpecificData.get().getSchema(airline.recordClass());
        assertThat(writerSchema).isEqualTo(readerSchema);

        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema);
        List<T> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KAFKA.readAllCommitted(topic, RECORDS_PER_AIRLINE, READ_TIMEOUT)) {
            ByteBuffer value = ByteBuffer.wrap(record.value());
            assertThat(value.get()).as("magic byte").isZero();
            assertThat(value.getInt()).as("schema id").isEqualTo(registeredId);
            T decoded = reader.read(
                    null, DecoderFactory.get().binaryDecoder(value.array(), value.position(), value.remaining(), null));
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(airline.key(decoded));
            records.add(decoded);
        }
        return records;
    }

    /** What the job must have written: the generator's records 0 .. N-1 for the seed. */
    private static <T extends SpecificRecordBase> List<T> expected(Airline<T> airline) {
        FlightGenerator<T> generator =
                new FlightGenerator<>(airline, SEED, Instant.parse(DEPARTURES_FROM + "T00:00:00Z"));
        List<T> records = new ArrayList<>();
        for (long index = 0; index < RECORDS_PER_AIRLINE; index++) {
            records.add(generator.map(index));
        }
        return records;
    }

    private static <T extends SpecificRecordBase> Set<String> keys(Airline<T> airline, List<T> records) {
        return records.stream().map(airline::key).collect(Collectors.toSet());
    }

    /** Enough restarts for the injected failures; a job failing for another reason still fails the test. */
    private static Configuration boundedRestarts() {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return configuration;
    }
}
