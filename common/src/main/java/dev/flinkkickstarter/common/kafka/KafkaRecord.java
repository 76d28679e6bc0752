package dev.flinkkickstarter.common.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A Kafka record exactly as consumed: key and value bytes, headers, and where it came from. Jobs
 * decode it themselves, so a record that fails to decode can still be passed on byte for byte
 * (e.g. to a dead-letter topic) with its origin.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields) so it travels with Flink's fast POJO
 * serializer rather than Kryo. Header keys and values are parallel arrays for the same reason.
 */
public class KafkaRecord {

    public String topic;
    public int partition;
    public long offset;
    /** Milliseconds since the epoch, as the producer or broker stamped it. */
    public long timestamp;
    /** Null for a record without a key. */
    public byte[] key;
    /** Null for a tombstone. */
    public byte[] value;

    public String[] headerKeys;
    /** {@code headerValues[i]} belongs to {@code headerKeys[i]}; entries may be null. */
    public byte[][] headerValues;

    public KafkaRecord() {}

    /** A copy of {@code record}; Kafka headers keep their order, repeated keys included. */
    public static KafkaRecord of(ConsumerRecord<byte[], byte[]> record) {
        KafkaRecord copy = new KafkaRecord();
        copy.topic = record.topic();
        copy.partition = record.partition();
        copy.offset = record.offset();
        copy.timestamp = record.timestamp();
        copy.key = record.key();
        copy.value = record.value();
        Header[] headers = record.headers().toArray();
        copy.headerKeys = new String[headers.length];
        copy.headerValues = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            copy.headerKeys[i] = headers[i].key();
            copy.headerValues[i] = headers[i].value();
        }
        return copy;
    }

    /** {@code topic-partition@offset}, the way Kafka's tools name a record. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public String toString() {
        // Never the key or value: they may hold personal data.
        return "KafkaRecord{" + position() + ", key " + length(key) + " bytes, value " + length(value)
                + " bytes, headers " + (headerKeys == null ? 0 : headerKeys.length) + "}";
    }

    private static String length(byte[] bytes) {
        return bytes == null ? "null" : String.valueOf(bytes.length);
    }
}
