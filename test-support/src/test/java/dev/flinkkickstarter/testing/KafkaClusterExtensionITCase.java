package dev.flinkkickstarter.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaClusterExtensionITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void producedRecordsReachAConsumerGroup() throws Exception {
        KAFKA.createTopic("round-trip", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("round-trip", bytes("key-" + i), bytes("value-" + i)));
            }
            producer.flush();
        }

        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProperties("round-trip"))) {
            consumer.subscribe(List.of("round-trip"));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (received.size() < 10 && System.nanoTime() - deadline < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }

        assertThat(received).extracting(record -> text(record.key())).containsExactly(numbered("key-", 0, 10));
        assertThat(received).extracting(record -> text(record.value())).containsExactly(numbered("value-", 0, 10));
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() {
        KAFKA.createTopic("transactions", 2);
        Properties properties = KAFKA.producerProperties();
        properties.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "transactions-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("transactions", bytes("aborted-" + i)));
            }
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("transactions", bytes("committed-" + i)));
            }
            producer.commitTransaction();
        }

        assertThat(KAFKA.readAllCommitted("transactions", 3, TIMEOUT))
                .extracting(record -> text(record.value()))
                .containsExactlyInAnyOrder(numbered("committed-", 0, 3));
        // The aborted records did reach the log: only the isolation level hides them.
        assertThat(readUncommitted("transactions", 6))
                .containsExactlyInAnyOrder(
                        "aborted-0", "aborted-1", "aborted-2", "committed-0", "committed-1", "committed-2");
    }

    @Test
    void readAllCommittedFailsClearlyWhenTooFewRecordsArrive() {
        KAFKA.createTopic("too-few", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            producer.send(new ProducerRecord<>("too-few", bytes("only-one")));
        }

        assertThatThrownBy(() -> KAFKA.readAllCommitted("too-few", 2, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected at least 2 committed records in topic too-few within PT2S, but read 1");
    }

    private static List<String> readUncommitted(String topic, int expectedCount) {
        Properties properties = KAFKA.consumerProperties("read-uncommitted");
        properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.size() < expectedCount && System.nanoTime() - deadline < 0) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(text(record.value())));
            }
        }
        return values;
    }

    private static String[] numbered(String prefix, int from, int to) {
        String[] values = new String[to - from];
        for (int i = from; i < to; i++) {
            values[i - from] = prefix + i;
        }
        return values;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }
}
