package dev.flinkkickstarter.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka cluster (KRaft, one process acting as broker and controller) running inside
 * the test JVM for the tests of one class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
 *
 * @Test
 * void roundTrip() throws Exception {
 *     KAFKA.createTopic("orders", 2);
 *     try (var producer = new KafkaProducer<byte[], byte[]>(KAFKA.producerProperties())) { ... }
 *     List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAllCommitted("orders", 10, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field: the cluster starts before the first test of the class and
 * stops after the last one. The broker is configured for a single node (replication factors and min ISR
 * of 1) and for fast tests ({@code group.initial.rebalance.delay.ms=0}); transactions are supported with
 * the broker's default {@code transaction.max.timeout.ms} (15 minutes), so an exactly-once producer must
 * use a {@code transaction.timeout.ms} below that.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private KafkaClusterTestKit cluster;

    /** Starts the cluster before all tests of the class that registers it. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit testKit = new KafkaClusterTestKit.Builder(nodes)
                // One node: internal topics cannot have more replicas than there are brokers.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("min.insync.replicas", "1")
                // The default 3 s delay before a new consumer group's first rebalance only slows tests down.
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            testKit.format();
            testKit.startup();
            testKit.waitForReadyBrokers();
        } catch (Exception | Error e) {
            testKit.close();
            throw e;
        }
        cluster = testKit;
    }

    /** Stops the cluster and deletes its data. */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            KafkaClusterTestKit toClose = cluster;
            cluster = null;
            toClose.close();
        }
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code localhost:41234}. */
    public String bootstrapServers() {
        return started().bootstrapServers();
    }

    /**
     * Creates a topic with the given number of partitions (replication factor 1) and waits until the
     * broker has created it.
     */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(adminProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Could not create topic " + name, e);
        }
    }

    /** Properties for an {@link Admin} client of this cluster. */
    public Properties adminProperties() {
        Properties properties = new Properties();
        properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /** Properties for a {@code KafkaProducer<byte[], byte[]>} of this cluster, acknowledging with all replicas. */
    public Properties producerProperties() {
        Properties properties = new Properties();
        properties.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        return properties;
    }

    /**
     * Properties for a {@code KafkaConsumer<byte[], byte[]>} of this cluster in the given group, reading
     * from the earliest offset and only committed records of transactional producers ({@code
     * read_committed}).
     */
    public Properties consumerProperties(String groupId) {
        Properties properties = new Properties();
        properties.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.setProperty(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return properties;
    }

    /**
     * Reads a topic from the beginning, as a {@code read_committed} consumer outside any group, until at
     * least {@code expectedCount} records have arrived and every record committed so far has been read.
     *
     * <p>All records read are returned, so a caller asserting an exact count also sees duplicates. Fails
     * with an {@link AssertionError} saying how many records arrived if fewer than {@code expectedCount}
     * are committed within {@code timeout} (or if the topic does not exist by then).
     */
    public List<ConsumerRecord<byte[], byte[]>> readAllCommitted(String topic, int expectedCount, Duration timeout) {
        Properties properties = consumerProperties("unused");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                // Under read_committed, the end offsets are the last stable offsets: everything committed.
                if (records.size() >= expectedCount && reachedEnd(consumer, partitions)) {
                    return records;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(String.format(
                            "Expected at least %d committed records in topic %s within %s, but read %d",
                            expectedCount, topic, timeout, records.size()));
                }
            }
        }
    }

    private static List<TopicPartition> awaitPartitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline, Duration timeout) {
        while (true) {
            List<PartitionInfo> infos =
                    consumer.listTopics(Duration.ofSeconds(5)).get(topic);
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .collect(Collectors.toList());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Topic " + topic + " does not exist after " + timeout);
            }
            sleep(Duration.ofMillis(200));
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= endOffsets.get(partition));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    private KafkaClusterTestKit started() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "The Kafka cluster is not running: register KafkaClusterExtension in a static field with"
                            + " @RegisterExtension and use it from tests (it runs from beforeAll to afterAll)");
        }
        return cluster;
    }
}
