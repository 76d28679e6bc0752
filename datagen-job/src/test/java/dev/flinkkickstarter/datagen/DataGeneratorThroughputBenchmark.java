package dev.flinkkickstarter.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Measures the records per second the job writes into a local Kafka broker at an unlimited rate.
 * Not part of {@code verify} (the name matches neither {@code *Test} nor {@code *ITCase}); run it
 * with:
 *
 * <pre>{@code
 * ./mvnw -B -ntp -pl datagen-job -am verify -Dspotless.check.skip \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=DataGeneratorThroughputBenchmark -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dbenchmark.records=1000000 -Dbenchmark.parallelism=2
 * }</pre>
 *
 * <p>The broker runs in the same JVM as the Flink MiniCluster, so both share the machine's cores.
 * The time measured is the whole run of {@code main}: job start, generation, the final checkpoint
 * and, for exactly-once, its transaction commit.
 */
class DataGeneratorThroughputBenchmark {

    private static final long RECORDS_PER_AIRLINE = Long.getLong("benchmark.records", 1_000_000);
    private static final int PARALLELISM = Integer.getInteger("benchmark.parallelism", 2);

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .setConfiguration(noRestarts())
            .build());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void throughput(String deliveryGuarantee) throws Exception {
        String skyOneTopic = "benchmark-" + deliveryGuarantee + ".skyone";
        String sunsetTopic = "benchmark-" + deliveryGuarantee + ".sunset";
        KAFKA.createTopic(skyOneTopic, PARALLELISM);
        KAFKA.createTopic(sunsetTopic, PARALLELISM);

        long start = System.nanoTime();
        DataGeneratorJob.main(new String[] {
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--schema-registry-url",
            REGISTRY.url(),
            "--skyone-topic",
            skyOneTopic,
            "--sunset-topic",
            sunsetTopic,
            "--max-records",
            Long.toString(RECORDS_PER_AIRLINE),
            "--records-per-second",
            "unlimited",
            "--seed",
            "1",
            "--delivery-guarantee",
            deliveryGuarantee,
            "--transactional-id-prefix",
            "benchmark-" + deliveryGuarantee,
            "--parallelism",
            Integer.toString(PARALLELISM)
        });
        double seconds = (System.nanoTime() - start) / 1e9;

        long skyOne = countCommitted(skyOneTopic);
        long sunset = countCommitted(sunsetTopic);
        if (deliveryGuarantee.equals("exactly-once")) {
            assertThat(List.of(skyOne, sunset)).containsOnly(RECORDS_PER_AIRLINE);
        } else {
            assertThat(List.of(skyOne, sunset)).allMatch(count -> count >= RECORDS_PER_AIRLINE);
        }
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK %s: %,d records per airline (2 airlines, parallelism %d) in %.1f s ="
                        + " %,.0f records/s per airline, %,.0f records/s in total%n",
                deliveryGuarantee,
                RECORDS_PER_AIRLINE,
                PARALLELISM,
                seconds,
                RECORDS_PER_AIRLINE / seconds,
                2 * RECORDS_PER_AIRLINE / seconds);
    }

    /** Counts the committed records of {@code topic} without keeping them (there may be millions). */
    private static long countCommitted(String topic) {
        Properties properties = KAFKA.consumerProperties("benchmark-count");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // The job has finished, so under read_committed the end offsets no longer move.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                count += consumer.poll(Duration.ofSeconds(1)).count();
            }
            return count;
        }
    }

    private static Configuration noRestarts() {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return configuration;
    }
}
