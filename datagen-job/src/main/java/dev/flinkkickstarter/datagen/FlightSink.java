package dev.flinkkickstarter.datagen;

import dev.flinkkickstarter.common.avro.ConfluentAvro;
import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.kafka.KafkaSinks;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** One airline's Kafka topic: records keyed by booking reference, values in Confluent wire format. */
final class FlightSink {

    private FlightSink() {}

    static <T extends SpecificRecordBase> KafkaSink<T> of(
            Airline<T> airline, DataGeneratorOptions options, ClientSettings settings) {
        String topic = options.topic(airline);
        SerializationSchema<T> key = record -> airline.key(record).getBytes(StandardCharsets.UTF_8);
        KafkaRecordSerializationSchema<T> serializer = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(key)
                .setValueSerializationSchema(
                        ConfluentAvro.serializer(airline.recordClass(), topic, settings.schemaRegistry()))
                .build();
        KafkaSinks.Builder<T> sink = KafkaSinks.<T>builder()
                .setProducerProperties(settings.producerProperties())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(options.deliveryGuarantee())
                .setTransactionalIdPrefix(options.transactionalIdPrefix(airline))
                .setCheckpointInterval(options.checkpointInterval());
        options.transactionTimeout().ifPresent(sink::setTransactionTimeout);
        return sink.build();
    }
}
