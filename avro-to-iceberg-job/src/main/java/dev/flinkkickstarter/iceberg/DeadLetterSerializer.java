package dev.flinkkickstarter.iceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter to {@code <source topic><suffix>} as it arrived (same key, value, headers
 * and timestamp) plus headers saying what failed and where the record came from, so it can be
 * inspected, fixed and replayed.
 */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    static final String ERROR_REASON = "dlq.error.reason";
    static final String ERROR_MESSAGE = "dlq.error.message";
    static final String SOURCE_TOPIC = "dlq.source.topic";
    static final String SOURCE_PARTITION = "dlq.source.partition";
    static final String SOURCE_OFFSET = "dlq.source.offset";
    static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";

    /** Kafka headers are small by convention; a stack-trace-sized message would bloat every DLQ record. */
    private static final int MAX_MESSAGE_CHARS = 1_000;

    private final String topicSuffix;

    DeadLetterSerializer(String topicSuffix) {
        this.topicSuffix = checkNotNull(topicSuffix, "topicSuffix");
    }

    static String deadLetterTopic(String sourceTopic, String suffix) {
        return sourceTopic + suffix;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
        KafkaRecord source = deadLetter.record;
        RecordHeaders headers = new RecordHeaders();
        if (source.headerKeys != null) {
            for (int i = 0; i < source.headerKeys.length; i++) {
                headers.add(source.headerKeys[i], source.headerValues[i]);
            }
        }
        String message = deadLetter.message == null ? "" : deadLetter.message;
        headers.add(ERROR_REASON, utf8(deadLetter.reason));
        headers.add(
                ERROR_MESSAGE,
                utf8(message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message));
        headers.add(SOURCE_TOPIC, utf8(source.topic));
        headers.add(SOURCE_PARTITION, utf8(String.valueOf(source.partition)));
        headers.add(SOURCE_OFFSET, utf8(String.valueOf(source.offset)));
        headers.add(SOURCE_TIMESTAMP, utf8(String.valueOf(source.timestamp)));
        return new ProducerRecord<>(
                deadLetterTopic(source.topic, topicSuffix), null, source.timestamp, source.key, source.value, headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
