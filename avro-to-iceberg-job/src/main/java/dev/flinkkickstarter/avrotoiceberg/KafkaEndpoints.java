package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import dev.flinkkickstarter.common.kafka.KafkaSinks;
import dev.flinkkickstarter.common.kafka.KafkaSources;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** The job's two Kafka ends, under one consumer group: the input topics' source and the dead-letter sink. */
final class KafkaEndpoints {

    private KafkaEndpoints() {}

    /** The listed topics, or every topic matching the pattern (found while the job runs), as raw records. */
    static KafkaSource<KafkaRecord> source(AvroToIcebergOptions options, ClientSettings settings) {
        Properties consumer = consumerProperties(settings);
        consumer.setProperty(
                KafkaSourceOptions.PARTITION_DISCOVERY_INTERVAL_MS.key(),
                String.valueOf(options.partitionDiscoveryInterval().toMillis()));
        return options.topicPattern()
                .map(pattern -> KafkaSources.rawRecords(consumer, pattern, options.startingOffsets()))
                .orElseGet(() -> KafkaSources.rawRecords(
                        consumer,
                        options.routes().stream().map(TopicRoute::topic).toList(),
                        options.startingOffsets()));
    }

    /** Each dead letter goes to its source topic's dead-letter topic. */
    static KafkaSink<DeadLetter> deadLetterSink(AvroToIcebergOptions options, ClientSettings settings) {
        String consumerGroup = consumerProperties(settings).getProperty(ConsumerConfig.GROUP_ID_CONFIG);
        return KafkaSinks.<DeadLetter>builder()
                .setProducerProperties(settings.producerProperties())
                .setRecordSerializer(
                        new DeadLetterSerializer(options.deadLetterTopicSuffix(), settings.producerProperties()))
                // Dead letters are committed with the same checkpoints as the table rows: none lost, none doubled.
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.deadLetterTransactionalIdPrefix(consumerGroup))
                .setCheckpointInterval(options.checkpointInterval())
                .build();
    }

    private static Properties consumerProperties(ClientSettings settings) {
        Properties consumer = settings.consumerProperties();
        consumer.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, AvroToIcebergOptions.DEFAULT_CONSUMER_GROUP);
        return consumer;
    }
}
