package dev.flinkkickstarter.datagen;

import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.flink.BoundedRestarts;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
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
        DataGeneratorOptions options = DataGeneratorOptions.from(arguments);
        ClientSettings settings = ClientSettings.load(arguments);
        WriterSchemas.register(options, settings);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BoundedRestarts.applyUnlessConfigured(env);
        addPipelines(env, options, settings);
        env.execute("datagen-job " + options.airlines());
    }

    /** Adds one generator-to-Kafka pipeline per airline to {@code env}. */
    static void addPipelines(StreamExecutionEnvironment env, DataGeneratorOptions options, ClientSettings settings) {
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
        env.fromSource(FlightSource.of(airline, options), WatermarkStrategy.noWatermarks(), airline + " flights")
                .uid(airline + "-flights")
                .sinkTo(FlightSink.of(airline, options, settings))
                .name(airline + " to Kafka topic " + options.topic(airline))
                .uid(airline + "-kafka-sink");
    }
}
