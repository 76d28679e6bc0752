package dev.flinkkickstarter.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.ConfluentAvro;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.datagen.FlightGenerator;
import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput from a pre-filled topic into committed Iceberg rows (raw table and flight table).
 * Not part of {@code verify}; run it with:
 *
 * <pre>{@code
 * ./mvnw -B -pl avro-to-iceberg-job -am verify -Dspotless.check.skip -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ThroughputBenchmarkITCase -Dfailsafe.failIfNoSpecifiedTests=false -Dbenchmark.records=1000000
 * }</pre>
 */
@EnabledIfSystemProperty(named = "benchmark.records", matches = "\\d+")
class ThroughputBenchmarkITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @TempDir
    Path warehouse;

    @Test
    void measuresRecordsPerSecondIntoCommittedRows() throws Exception {
        long records = Long.getLong("benchmark.records");
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "bench", warehouse).createTopicsAndSchemas(2);
        prefill(pipeline, records);

        long start = System.nanoTime();
        JobClient job = pipeline.start(pipeline.jobArgsFor(
                pipeline.skyOneTopic,
                pipeline.skyOneTopic + "=skyone",
                "--checkpoint-interval",
                "5s",
                "--starting-offsets",
                "earliest"));
        try {
            pipeline.awaitRows(FlightPipeline.SKY_ONE_TABLE, records);
            pipeline.awaitRows(FlightPipeline.FLIGHT_TABLE, records);
        } finally {
            FlightPipeline.stop(job);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(pipeline.committedRows(FlightPipeline.SKY_ONE_TABLE)).isEqualTo(records);
        assertThat(pipeline.committedRows(FlightPipeline.FLIGHT_TABLE)).isEqualTo(records);
        System.out.printf(
                "BENCHMARK: %d records from a pre-filled topic into committed Iceberg rows (raw + flight table) in %.1f s"
                        + " = %.0f records/s (parallelism 2, checkpoint every 5 s, job start included)%n",
                records, seconds, records / seconds);
    }

    private static void prefill(FlightPipeline pipeline, long records) {
        SerializationSchema<SkyOneFlight> serializer =
                ConfluentAvro.serializer(SkyOneFlight.class, pipeline.skyOneTopic, pipeline.registrySettings());
        FlightGenerator<SkyOneFlight> generator =
                new FlightGenerator<>(Airline.SKY_ONE, 42L, Instant.parse("2026-12-01T00:00:00Z"));
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (long i = 0; i < records; i++) {
                SkyOneFlight flight = generator.map(i);
                producer.send(new ProducerRecord<>(
                        pipeline.skyOneTopic,
                        Airline.SKY_ONE.key(flight).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(flight)));
            }
            producer.flush();
        }
    }
}
