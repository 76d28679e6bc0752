package dev.flinkkickstarter.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaSourcesTest {

    @Test
    void parsesEveryStartingOffsetsSetting() {
        assertThat(KafkaSources.startingOffsets("committed")).isNotNull();
        assertThat(KafkaSources.startingOffsets("EARLIEST")).isNotNull();
        assertThat(KafkaSources.startingOffsets("latest")).isNotNull();
        assertThat(KafkaSources.startingOffsets("timestamp:1700000000000")).isNotNull();
    }

    @Test
    void rejectsUnknownStartingOffsets() {
        assertThatThrownBy(() -> KafkaSources.startingOffsets("beginning"))
                .hasMessageContaining("Unknown starting offsets 'beginning'");
        assertThatThrownBy(() -> KafkaSources.startingOffsets("timestamp:yesterday"))
                .hasMessageContaining("timestamp:<epoch milliseconds>");
    }

    @Test
    void requiresAConsumerGroup() {
        assertThatThrownBy(() -> KafkaSources.rawRecords(new Properties(), List.of("t"), "committed"))
                .hasMessageContaining("group.id");
    }

    @Test
    void kafkaRecordKeepsBytesHeadersAndOrigin() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("trace", new byte[] {1}));
        headers.add(new RecordHeader("trace", null));
        ConsumerRecord<byte[], byte[]> consumed = new ConsumerRecord<>(
                "airline.skyone",
                2,
                42L,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                1,
                3,
                new byte[] {7},
                new byte[] {0, 1, 2},
                headers,
                java.util.Optional.empty());

        KafkaRecord record = KafkaRecord.of(consumed);

        assertThat(record.position()).isEqualTo("airline.skyone-2@42");
        assertThat(record.timestamp).isEqualTo(1_700_000_000_000L);
        assertThat(record.key).containsExactly(7);
        assertThat(record.value).containsExactly(0, 1, 2);
        assertThat(record.headerKeys).containsExactly("trace", "trace");
        assertThat(record.headerValues[0]).containsExactly(1);
        assertThat(record.headerValues[1]).isNull();
        assertThat(record.toString()).doesNotContain("[");
    }

    @Test
    void offsetsAreNeverAutoCommittedAndOnlyCommittedRecordsRead() {
        Properties consumer = new Properties();
        consumer.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "g");
        consumer.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "TRUE");

        Properties source = KafkaSources.sourceProperties(consumer);

        assertThat(source)
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry("commit.offsets.on.checkpoint", "true");
        assertThat(consumer).containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "TRUE"); // a copy was changed
    }
}
