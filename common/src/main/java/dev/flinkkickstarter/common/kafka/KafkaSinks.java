package dev.flinkkickstarter.common.kafka;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link KafkaSink}s the way every job of this project needs them: producer properties from
 * the job's settings, a delivery guarantee, and — for exactly-once — a transactional id prefix and
 * a transaction timeout the broker accepts.
 *
 * <pre>{@code
 * KafkaSink<Flight> sink = KafkaSinks.<Flight>builder()
 *         .setProducerProperties(settings.producerProperties())
 *         .setRecordSerializer(serializer)
 *         .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *         .setTransactionalIdPrefix("datagen-skyone")
 *         .build();
 * }</pre>
 */
public final class KafkaSinks {

    /**
     * The transaction timeout when neither the builder nor the producer properties set one. The
     * Kafka connector's own default is 1 hour, which brokers reject: their {@code
     * transaction.max.timeout.ms} defaults to 15 minutes (Confluent Cloud's too). It must also
     * outlast the checkpoint interval, as transactions are committed on checkpoints.
     */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinks.class);

    private KafkaSinks() {}

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** Fluent builder; {@link #build()} checks the combination before creating the sink. */
    public static final class Builder<T> {

        private Properties producerProperties;
        private KafkaRecordSerializationSchema<T> recordSerializer;
        private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private String transactionalIdPrefix;
        private Duration transactionTimeout;
        private Duration checkpointInterval;
        private Duration brokerLookupTimeout = BrokerTransactionLimit.DEFAULT_LOOKUP_TIMEOUT;

        private Builder() {}

        /** Producer client properties (bootstrap servers, security); copied. */
        public Builder<T> setProducerProperties(Properties producerProperties) {
            checkNotNull(producerProperties, "producerProperties");
            this.producerProperties = new Properties();
            this.producerProperties.putAll(producerProperties);
            return this;
        }

        /** Topic, key and value serialization of each record. */
        public Builder<T> setRecordSerializer(KafkaRecordSerializationSchema<T> recordSerializer) {
            this.recordSerializer = checkNotNull(recordSerializer, "recordSerializer");
            return this;
        }

        /** Defaults to {@link DeliveryGuarantee#AT_LEAST_ONCE}. */
        public Builder<T> setDeliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
            this.deliveryGuarantee = checkNotNull(deliveryGuarantee, "deliveryGuarantee");
            return this;
        }

        /**
         * Prefix of the sink's transactional ids; required for exactly-once. It must be unique per
         * sink among all jobs writing to the cluster, or their transactions fence each other off.
         */
        public Builder<T> setTransactionalIdPrefix(String transactionalIdPrefix) {
            this.transactionalIdPrefix = TransactionalIds.checkPrefix(transactionalIdPrefix);
            return this;
        }

        /**
         * Overrides {@code transaction.timeout.ms}; otherwise the producer properties' value is
         * kept, else {@link #DEFAULT_TRANSACTION_TIMEOUT} is used.
         */
        public Builder<T> setTransactionTimeout(Duration transactionTimeout) {
            this.transactionTimeout = checkNotNull(transactionTimeout, "transactionTimeout");
            return this;
        }

        /**
         * The job's checkpoint interval: with exactly-once, {@link #build()} then checks that a
         * transaction (open from one checkpoint to the commit after the next) cannot time out before its
         * commit, and that the broker's {@code transaction.max.timeout.ms} allows the timeout (read from
         * the broker when it answers in time; see {@link BrokerTransactionLimit}).
         */
        public Builder<T> setCheckpointInterval(Duration checkpointInterval) {
            this.checkpointInterval = checkNotNull(checkpointInterval, "checkpointInterval");
            return this;
        }

        /** How long {@link #build()} waits for the broker's transaction limit; default 10 s. */
        public Builder<T> setBrokerLookupTimeout(Duration brokerLookupTimeout) {
            this.brokerLookupTimeout = checkNotNull(brokerLookupTimeout, "brokerLookupTimeout");
            return this;
        }

        public KafkaSink<T> build() {
            sanityCheck();
            if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE && checkpointInterval != null) {
                checkTransactionTimeout();
            }
            KafkaSinkBuilder<T> sink = KafkaSink.<T>builder()
                    .setKafkaProducerConfig(producerProperties())
                    .setRecordSerializer(recordSerializer)
                    .setDeliveryGuarantee(deliveryGuarantee);
            if (transactionalIdPrefix != null) {
                sink.setTransactionalIdPrefix(transactionalIdPrefix);
            }
            return sink.build();
        }

        /** The properties the sink's producers get. */
        Properties producerProperties() {
            Properties properties = new Properties();
            properties.putAll(producerProperties);
            if (deliveryGuarantee != DeliveryGuarantee.EXACTLY_ONCE) {
                return properties; // no transactions, no timeout to set
            }
            if (transactionTimeout != null) {
                properties.setProperty(
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeout.toMillis()));
            } else {
                properties.putIfAbsent(
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        Long.toString(DEFAULT_TRANSACTION_TIMEOUT.toMillis()));
            }
            return properties;
        }

        private void checkTransactionTimeout() {
            String timeoutMs = producerProperties().getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
            Duration timeout;
            try {
                timeout = Duration.ofMillis(Long.parseLong(timeoutMs.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Producer property " + ProducerConfig.TRANSACTION_TIMEOUT_CONFIG
                        + " must be a number of milliseconds but was '" + timeoutMs + "'");
            }
            checkArgument(
                    timeout.compareTo(checkpointInterval) > 0,
                    "The Kafka transaction timeout (%s, producer property %s) must be longer than the checkpoint"
                            + " interval (%s): transactions are committed on checkpoints, and the broker aborts a"
                            + " transaction that outlives its timeout, losing its records",
                    timeout,
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    checkpointInterval);
            if (timeout.compareTo(checkpointInterval.multipliedBy(2)) < 0) {
                LOG.warn(
                        "The Kafka transaction timeout ({}) is less than twice the checkpoint interval ({}): a slow"
                                + " checkpoint can let a transaction expire before its commit",
                        timeout,
                        checkpointInterval);
            }
            BrokerTransactionLimit.lookup(producerProperties, brokerLookupTimeout)
                    .ifPresent(brokerMax -> checkArgument(
                            timeout.compareTo(brokerMax) <= 0,
                            "The Kafka transaction timeout (%s, producer property %s) exceeds the broker's %s (%s):"
                                    + " the sink's producers could not start. Lower the timeout (longer than the"
                                    + " checkpoint interval, %s) or raise the broker's limit",
                            timeout,
                            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                            BrokerTransactionLimit.TRANSACTION_MAX_TIMEOUT_MS,
                            brokerMax,
                            checkpointInterval));
        }

        private void sanityCheck() {
            checkState(producerProperties != null, "Producer properties are required: setProducerProperties(...)");
            String bootstrapServers = producerProperties.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
            checkState(
                    bootstrapServers != null && !bootstrapServers.isBlank(),
                    "Producer property '%s' is required",
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
            checkState(recordSerializer != null, "A record serializer is required: setRecordSerializer(...)");
            if (transactionTimeout != null) {
                checkArgument(
                        !transactionTimeout.isNegative() && !transactionTimeout.isZero(),
                        "Transaction timeout must be positive but was %s",
                        transactionTimeout);
            }
            if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                checkState(
                        transactionalIdPrefix != null && !transactionalIdPrefix.isBlank(),
                        "Exactly-once needs a transactional id prefix: setTransactionalIdPrefix(...)");
            }
        }
    }
}
