package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import javax.annotation.Nullable;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Writes a dead letter to {@code <source topic><suffix>} as it arrived (same key, value, headers
 * and timestamp) plus headers saying what failed and where the record came from, so it can be
 * inspected, fixed and replayed.
 *
 * <p>Writing a dead letter must never fail the job, so two things the producer would refuse are
 * changed, and headers say so: a negative source timestamp (e.g. -1 from an old client) is left to
 * the producer, which stamps the current time ({@value #SOURCE_TIMESTAMP} keeps the original); a
 * record that would exceed the producer's {@code max.request.size} once the error headers are added
 * has its value (then, if need be, its key) cut to fit, with {@value #VALUE_ORIGINAL_SIZE} ({@value
 * #KEY_ORIGINAL_SIZE}) giving the original size in bytes.
 */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    static final String ERROR_REASON = "dlq.error.reason";
    static final String ERROR_MESSAGE = "dlq.error.message";
    static final String SOURCE_TOPIC = "dlq.source.topic";
    static final String SOURCE_PARTITION = "dlq.source.partition";
    static final String SOURCE_OFFSET = "dlq.source.offset";
    static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";
    /** Present only on a dead letter whose value was cut to fit: the original value's size in bytes. */
    static final String VALUE_ORIGINAL_SIZE = "dlq.value.original.size";
    /** Present only on a dead letter whose key was cut to fit: the original key's size in bytes. */
    static final String KEY_ORIGINAL_SIZE = "dlq.key.original.size";
    /** Room for the size header(s) and varint growth that the estimate below does not see yet. */
    private static final int SIZE_MARGIN_BYTES = 64;

    /** Kafka headers are small by convention; a stack-trace-sized message would bloat every DLQ record. */
    private static final int MAX_MESSAGE_CHARS = 1_000;

    private final String topicSuffix;
    private final int maxRequestSize;

    /** For a sink whose producers get {@code producerProperties} (their {@code max.request.size} bounds a record). */
    DeadLetterSerializer(String topicSuffix, Properties producerProperties) {
        this.topicSuffix = checkNotNull(topicSuffix, "topicSuffix");
        String maxRequestSize = producerProperties.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        this.maxRequestSize = maxRequestSize == null || maxRequestSize.isBlank()
                ? (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
                : Integer.parseInt(maxRequestSize.trim());
        checkArgument(this.maxRequestSize > 1_024, "max.request.size is too small for a dead letter's headers");
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
        byte[] key = source.key;
        byte[] value = source.value;
        int excess = size(key, value, headers) + SIZE_MARGIN_BYTES - maxRequestSize;
        if (excess > 0 && value != null) {
            int cut = Math.min(excess, value.length);
            headers.add(VALUE_ORIGINAL_SIZE, utf8(String.valueOf(value.length)));
            value = Arrays.copyOf(value, value.length - cut);
            excess -= cut;
        }
        if (excess > 0 && key != null) {
            headers.add(KEY_ORIGINAL_SIZE, utf8(String.valueOf(key.length)));
            key = Arrays.copyOf(key, Math.max(0, key.length - excess));
        }
        // Kafka refuses negative timestamps; null lets the producer stamp the current time.
        Long producerTimestamp = source.timestamp >= 0 ? source.timestamp : null;
        return new ProducerRecord<>(
                deadLetterTopic(source.topic, topicSuffix), null, producerTimestamp, key, value, headers);
    }

    /** The producer's own upper bound for the record, checked against max.request.size before sending. */
    private static int size(@Nullable byte[] key, @Nullable byte[] value, RecordHeaders headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, value, headers.toArray());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
