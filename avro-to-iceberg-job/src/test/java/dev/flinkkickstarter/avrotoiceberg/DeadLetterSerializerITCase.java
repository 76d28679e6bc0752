package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dead letters that used to fail the job's producer (a source timestamp of -1; a value near the
 * producer's max.request.size plus the error headers) are accepted by a real broker, with default
 * producer and broker limits.
 */
class DeadLetterSerializerITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void deadLettersThatUsedToFailTheProducerAreWritten() throws Exception {
        KAFKA.createTopic("poison.dlq", 1);
        Properties producerProperties = KAFKA.producerProperties();
        DeadLetterSerializer serializer = new DeadLetterSerializer(".dlq", producerProperties);
        KafkaRecord noTimestamp = DeadLetterSerializerTest.record(new byte[] {1}, new byte[] {2, 3});
        noTimestamp.topic = "poison";
        noTimestamp.timestamp = -1L;
        KafkaRecord nearTheLimit = DeadLetterSerializerTest.record(new byte[] {4}, new byte[1_048_500]);
        nearTheLimit.topic = "poison";
        long before = System.currentTimeMillis();

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties)) {
            for (KafkaRecord record : List.of(noTimestamp, nearTheLimit)) {
                ProducerRecord<byte[], byte[]> deadLetter =
                        serializer.serialize(DeadLetter.of(record, "MALFORMED_BODY", "m".repeat(2_000)), null, null);
                producer.send(deadLetter).get();
            }
        }

        List<ConsumerRecord<byte[], byte[]>> written = KAFKA.readAllCommitted("poison.dlq", 2, Duration.ofMinutes(1));
        assertThat(written).hasSize(2);
        assertThat(written.get(0).timestamp()).isGreaterThanOrEqualTo(before);
        assertThat(header(written.get(0), DeadLetterSerializer.SOURCE_TIMESTAMP))
                .isEqualTo("-1");
        assertThat(written.get(0).value()).containsExactly(2, 3);
        assertThat(header(written.get(1), DeadLetterSerializer.VALUE_ORIGINAL_SIZE))
                .isEqualTo("1048500");
        assertThat(written.get(1).value()).hasSizeLessThan(1_048_500);
        assertThat(header(written.get(1), DeadLetterSerializer.ERROR_REASON)).isEqualTo("MALFORMED_BODY");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
