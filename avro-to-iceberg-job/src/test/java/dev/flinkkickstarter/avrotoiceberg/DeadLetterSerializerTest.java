package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {

    @Test
    void keepsTheOriginalBytesAndHeadersAndNamesTheFailureAndOrigin() {
        KafkaRecord record = new KafkaRecord();
        record.topic = "airline.skyone";
        record.partition = 3;
        record.offset = 1234L;
        record.timestamp = 1_700_000_000_000L;
        record.key = new byte[] {1, 2};
        record.value = new byte[] {9, 9, 9};
        record.headerKeys = new String[] {"trace-id"};
        record.headerValues = new byte[][] {{7}};

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", new Properties())
                .serialize(DeadLetter.of(record, "WRONG_MAGIC_BYTE", "x".repeat(5_000)), null, null);

        assertThat(out.topic()).isEqualTo("airline.skyone.dlq");
        assertThat(out.key()).containsExactly(1, 2);
        assertThat(out.value()).containsExactly(9, 9, 9);
        assertThat(out.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(out.headers().lastHeader("trace-id").value()).containsExactly(7);
        assertThat(header(out, DeadLetterSerializer.ERROR_REASON)).isEqualTo("WRONG_MAGIC_BYTE");
        assertThat(header(out, DeadLetterSerializer.ERROR_MESSAGE)).hasSize(1_000);
        assertThat(header(out, DeadLetterSerializer.SOURCE_TOPIC)).isEqualTo("airline.skyone");
        assertThat(header(out, DeadLetterSerializer.SOURCE_PARTITION)).isEqualTo("3");
        assertThat(header(out, DeadLetterSerializer.SOURCE_OFFSET)).isEqualTo("1234");
        assertThat(header(out, DeadLetterSerializer.SOURCE_TIMESTAMP)).isEqualTo("1700000000000");
    }

    @Test
    void tombstonesStayTombstones() {
        KafkaRecord record = new KafkaRecord();
        record.topic = "t";
        record.headerKeys = new String[0];
        record.headerValues = new byte[0][];

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", new Properties())
                .serialize(DeadLetter.of(record, "NULL_VALUE", null), null, null);

        assertThat(out.value()).isNull();
        assertThat(header(out, DeadLetterSerializer.ERROR_MESSAGE)).isEmpty();
    }

    @Test
    void aNegativeTimestampIsLeftToTheProducerAndKeptInAHeader() {
        KafkaRecord record = record(new byte[] {1}, new byte[] {9});
        record.timestamp = -1L;

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", new Properties())
                .serialize(DeadLetter.of(record, "WRONG_MAGIC_BYTE", "m"), null, null);

        assertThat(out.timestamp()).isNull();
        assertThat(header(out, DeadLetterSerializer.SOURCE_TIMESTAMP)).isEqualTo("-1");
    }

    @Test
    void aValueThatWouldNotFitWithTheHeadersIsCutToFitAndSaysItsSize() {
        byte[] value = new byte[1_048_000];
        Arrays.fill(value, (byte) 7);
        KafkaRecord record = record(new byte[100], value);

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", new Properties())
                .serialize(DeadLetter.of(record, "MALFORMED_BODY", "m".repeat(5_000)), null, null);

        assertThat(size(out)).isLessThanOrEqualTo(1_048_576);
        assertThat(out.value()).hasSizeLessThan(value.length).hasSizeGreaterThan(1_040_000);
        assertThat(out.value()).isEqualTo(Arrays.copyOf(value, out.value().length));
        assertThat(out.key()).hasSize(100);
        assertThat(header(out, DeadLetterSerializer.VALUE_ORIGINAL_SIZE)).isEqualTo("1048000");
        assertThat(out.headers().lastHeader(DeadLetterSerializer.KEY_ORIGINAL_SIZE))
                .isNull();
    }

    @Test
    void fitsTheConfiguredMaxRequestSizeCuttingTheKeyIfTheValueIsNotEnough() {
        Properties producer = new Properties();
        producer.setProperty("max.request.size", "10000");

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", producer)
                .serialize(DeadLetter.of(record(new byte[20_000], new byte[5_000]), "MALFORMED_BODY", "m"), null, null);

        assertThat(size(out)).isLessThanOrEqualTo(10_000);
        assertThat(out.value()).isEmpty();
        assertThat(out.key()).hasSizeGreaterThan(8_000);
        assertThat(header(out, DeadLetterSerializer.VALUE_ORIGINAL_SIZE)).isEqualTo("5000");
        assertThat(header(out, DeadLetterSerializer.KEY_ORIGINAL_SIZE)).isEqualTo("20000");
    }

    @Test
    void aRecordThatFitsIsNotTouched() {
        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq", new Properties())
                .serialize(DeadLetter.of(record(new byte[10], new byte[1_000_000]), "MALFORMED_BODY", "m"), null, null);

        assertThat(out.value()).hasSize(1_000_000);
        assertThat(out.headers().lastHeader(DeadLetterSerializer.VALUE_ORIGINAL_SIZE))
                .isNull();
    }

    static KafkaRecord record(byte[] key, byte[] value) {
        KafkaRecord record = new KafkaRecord();
        record.topic = "airline.skyone";
        record.timestamp = 1_700_000_000_000L;
        record.key = key;
        record.value = value;
        record.headerKeys = new String[0];
        record.headerValues = new byte[0][];
        return record;
    }

    private static int size(ProducerRecord<byte[], byte[]> record) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                record.key(),
                record.value(),
                record.headers().toArray());
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
