package dev.flinkkickstarter.datagen;

import dev.flinkkickstarter.common.avro.ConfluentAvro;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.flink.BoundedRestarts;
import dev.flinkkickstarter.common.kafka.KafkaSinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates Sky One and Sunset Air bookings and publishes them to Kafka: one topic per airline,
 * keyed by booking reference, values in Confluent wire format (Avro, schema id from the registry).
 *
 * <p>Flags: see {@link DataGeneratorOptions} and the README; Kafka and Schema Registry settings come
 * from {@link ClientSettings}. With {@code --max-records} the job finishes once every airline has
 * published that many records.
 */
public final class DataGeneratorJob {

    private static final Logger LOG = LoggerFactory.getLogger(DataGeneratorJob.class);

    private DataGeneratorJob() {}

    public static void main(String[] args) throws Exception {
        JobArguments arguments = JobArguments.parse(args);
        DataGeneratorOptions options = DataGeneratorOptions.parse(arguments);
        ClientSettings settings = ClientSettings.load(arguments);
        checkSchemas(options, settings);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BoundedRestarts.applyUnlessConfigured(env);
        addPipelines(env, options, settings);
        env.execute("datagen-job " + options.airlines());
    }

    /**
     * Resolves each airline's writer schema id once, before the job starts: an unreachable registry,
     * rejected credentials or an incompatible schema then fail the submission rather than the running
     * job. It also registers a new subject once, instead of from every parallel writer at the same
     * time (Apicurio answers all but the first of such concurrent registrations with HTTP 409).
     */
    private static void checkSchemas(DataGeneratorOptions options, ClientSettings settings) throws IOException {
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(settings.schemaRegistry())) {
            for (Airline<?> airline : options.airlines()) {
                String subject = ConfluentSchemaCoder.valueSubject(options.topic(airline));
                int id = registry.writerSchemaId(subject, SpecificData.get().getSchema(airline.recordClass()));
                LOG.info("{} records are written with schema id {} of subject '{}'", airline, id, subject);
            }
        }
    }

    /** Adds one generator-to-Kafka pipeline per airline to {@code env}. */
    public static void addPipelines(
            StreamExecutionEnvironment env, DataGeneratorOptions options, ClientSettings settings) {
        LOG.info(
                "Generating flights with {} ({})",
                options,
                options.seedGiven() ? "seed from --seed" : "random seed: pass --seed " + options.seed() + " to repeat");
        // The generator source counts as bounded even when practically endless; batch mode would run
        // it without checkpoints, so without Kafka transaction commits.
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        // Exactly-once commits Kafka transactions on checkpoints; at-least-once flushes on them.
        env.enableCheckpointing(options.checkpointInterval().toMillis());
        options.parallelism().ifPresent(env::setParallelism);
        // Each record is a new object that the sink only serializes: no need to copy it between them.
        env.getConfig().enableObjectReuse();
        for (Airline<?> airline : options.airlines()) {
            addPipeline(env, airline, options, settings);
        }
    }

    private static <T extends SpecificRecordBase> void addPipeline(
            StreamExecutionEnvironment env, Airline<T> airline, DataGeneratorOptions options, ClientSettings settings) {
        env.fromSource(flights(airline, options), WatermarkStrategy.noWatermarks(), airline + " flights")
                .uid(airline + "-flights")
                .sinkTo(kafkaSink(airline, options, settings))
                .name(airline + " to Kafka topic " + options.topic(airline))
                .uid(airline + "-kafka-sink");
    }

    private static <T extends SpecificRecordBase> DataGeneratorSource<T> flights(
            Airline<T> airline, DataGeneratorOptions options) {
        RateLimiterStrategy rateLimit = options.recordsPerSecond().isPresent()
                ? RateLimiterStrategy.perSecond(options.recordsPerSecond().getAsDouble())
                : RateLimiterStrategy.noOp();
        return new DataGeneratorSource<>(
                new FlightGenerator<>(airline, options.seed(), options.departuresFrom(), options.changes()),
                options.maxRecords().orElse(Long.MAX_VALUE), // as good as endless
                rateLimit,
                new AvroTypeInfo<>(airline.recordClass()));
    }

    private static <T extends SpecificRecordBase> KafkaSink<T> kafkaSink(
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
