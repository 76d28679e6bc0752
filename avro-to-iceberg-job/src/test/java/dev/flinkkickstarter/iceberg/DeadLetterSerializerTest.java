package dev.flinkkickstarter.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
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

        ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer(".dlq")
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

        ProducerRecord<byte[], byte[]> out =
                new DeadLetterSerializer(".dlq").serialize(DeadLetter.of(record, "NULL_VALUE", null), null, null);

        assertThat(out.value()).isNull();
        assertThat(header(out, DeadLetterSerializer.ERROR_MESSAGE)).isEmpty();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
