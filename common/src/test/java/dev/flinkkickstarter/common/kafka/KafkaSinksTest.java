package dev.flinkkickstarter.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaSinksTest {

    private static final KafkaRecordSerializationSchema<String> SERIALIZER =
            KafkaRecordSerializationSchema.<String>builder()
                    .setTopic("topic")
                    .setValueSerializationSchema(value -> value.getBytes(StandardCharsets.UTF_8))
                    .build();

    @Test
    void exactlyOnceGetsTheDefaultTransactionTimeoutInsteadOfTheConnectorsHour() {
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder()
                .setProducerProperties(producerProperties())
                .setRecordSerializer(SERIALIZER)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("job-sink");

        assertThat(builder.build()).isNotNull();
        assertThat(builder.producerProperties())
                .containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    }

    @Test
    void aTimeoutFromTheProducerPropertiesIsKeptAndAnExplicitOneWins() {
        Properties configured = producerProperties();
        configured.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder()
                .setProducerProperties(configured)
                .setRecordSerializer(SERIALIZER)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("job-sink");
        assertThat(builder.producerProperties()).containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");

        builder.setTransactionTimeout(Duration.ofSeconds(90));
        assertThat(builder.producerProperties()).containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "90000");
    }

    @Test
    void atLeastOnceIsTheDefaultAndSetsNoTransactionTimeout() {
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder()
                .setProducerProperties(producerProperties())
                .setRecordSerializer(SERIALIZER);

        assertThat(builder.build()).isNotNull();
        assertThat(builder.producerProperties()).doesNotContainKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    }

    @Test
    void thePropertiesAreCopiedSoLaterChangesDoNotLeakIn() {
        Properties properties = producerProperties();
        KafkaSinks.Builder<String> builder =
                KafkaSinks.<String>builder().setProducerProperties(properties).setRecordSerializer(SERIALIZER);
        properties.setProperty("acks", "0");

        assertThat(builder.producerProperties()).doesNotContainKey("acks");
    }

    @Test
    void exactlyOnceWithoutATransactionalIdPrefixIsRejected() {
        assertThatThrownBy(() -> KafkaSinks.<String>builder()
                        .setProducerProperties(producerProperties())
                        .setRecordSerializer(SERIALIZER)
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transactional id prefix");
    }

    @Test
    void missingPiecesAreNamed() {
        assertThatThrownBy(() -> KafkaSinks.<String>builder()
                        .setRecordSerializer(SERIALIZER)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setProducerProperties");
        assertThatThrownBy(() -> KafkaSinks.<String>builder()
                        .setProducerProperties(new Properties())
                        .setRecordSerializer(SERIALIZER)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> KafkaSinks.<String>builder()
                        .setProducerProperties(producerProperties())
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setRecordSerializer");
        assertThatThrownBy(() -> KafkaSinks.<String>builder()
                        .setProducerProperties(producerProperties())
                        .setRecordSerializer(SERIALIZER)
                        .setTransactionTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    private static Properties producerProperties() {
        Properties properties = new Properties();
        properties.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        return properties;
    }

    @Test
    void refusesATransactionTimeoutNotLongerThanTheCheckpointInterval() {
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder()
                .setProducerProperties(producerProperties())
                .setRecordSerializer(SERIALIZER)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("job-sink")
                .setTransactionTimeout(Duration.ofMinutes(1))
                .setCheckpointInterval(Duration.ofMinutes(1));

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be longer than the checkpoint interval (PT1M)");
    }

    @Test
    void aBrokerThatCannotBeReachedSkipsItsLimitCheck() {
        Properties unreachable = producerProperties();
        unreachable.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder()
                .setProducerProperties(unreachable)
                .setRecordSerializer(SERIALIZER)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("job-sink")
                .setCheckpointInterval(Duration.ofSeconds(10))
                .setBrokerLookupTimeout(Duration.ofMillis(500));

        assertThat(builder.build()).isNotNull();
    }

    @Test
    void transactionalIdPrefixesFollowKafkaNamingRules() {
        KafkaSinks.Builder<String> builder = KafkaSinks.<String>builder();
        assertThatThrownBy(() -> builder.setTransactionalIdPrefix("my job"))
                .hasMessageContaining("may only contain letters, digits");
        assertThatThrownBy(() -> builder.setTransactionalIdPrefix("x".repeat(201)))
                .hasMessageContaining("201 characters long");
        assertThatThrownBy(() -> TransactionalIds.checkPrefix("a/b", "dlq-transactional-id-prefix"))
                .hasMessageContaining("--dlq-transactional-id-prefix ('a/b') may only contain");
        assertThat(TransactionalIds.prefix("avro-to-iceberg", "dlq")).isEqualTo("avro-to-iceberg-dlq");
        assertThat(TransactionalIds.jobIdFrom("team a/ingest")).isEqualTo("team_a_ingest");
        assertThatThrownBy(() -> TransactionalIds.checkJobId("", "job-id")).hasMessageContaining("--job-id");
    }
}
