package dev.flinkkickstarter.benchmarks;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topic creation and the offsets the benchmark reads progress from, through one Admin client. */
final class KafkaTopics implements AutoCloseable {

    private final String bootstrapServers;
    private final Admin admin;

    private KafkaTopics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(properties);
    }

    static KafkaTopics connect(String bootstrapServers) {
        return new KafkaTopics(bootstrapServers);
    }

    void create(Collection<String> topics, int partitions) throws ExecutionException, InterruptedException {
        admin.createTopics(topics.stream()
                        .map(topic -> new NewTopic(topic, partitions, (short) 1))
                        .toList())
                .all()
                .get();
    }

    /**
     * The sum over every partition of {@code topics} of the log end offset ({@link IsolationLevel#READ_UNCOMMITTED}:
     * every record written, transaction markers included) or of the last stable offset ({@link
     * IsolationLevel#READ_COMMITTED}: up to the first open transaction).
     */
    long offsets(Collection<String> topics, IsolationLevel isolation) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> partitions =
                admin.describeTopics(topics).allTopicNames().get().values().stream()
                        .flatMap(description -> description.partitions().stream()
                                .map(partition -> new TopicPartition(description.name(), partition.partition())))
                        .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
        return admin.listOffsets(partitions, new ListOffsetsOptions(isolation)).all().get().values().stream()
                .mapToLong(info -> info.offset())
                .sum();
    }

    /** The mean serialized value size of the first {@code sample} records of {@code topic}. */
    double meanValueSize(String topic, int sample) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long records = 0;
            long bytes = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (records < sample && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    bytes += record.serializedValueSize();
                }
            }
            if (records == 0) {
                throw new IllegalStateException("No record to measure in " + topic);
            }
            return (double) bytes / records;
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
