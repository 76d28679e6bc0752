package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records and registry answers that used to restart the job (or fail it), each between good records,
 * against the job's public behaviour only: topics in, tables and the dead-letter topic out, and the
 * job's restart count from the MiniCluster's REST API.
 */
class PoisonRecordsITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** More than the test JVM's whole heap (-Xmx1536m): Avro used to allocate it before reading a byte. */
    private static final long TWO_GIB_LESS_A_LITTLE = Integer.MAX_VALUE - 16L;

    @TempDir
    Path warehouse;

    @Test
    void poisonRecordsAreDeadLetteredWhileTheJobRunsOnWithoutARestart() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "poison", warehouse).createTopicsAndSchemas(1);
        String topic = pipeline.skyOneTopic;
        byte[] good = pipeline.produce(1).skyOne().get(0).value();
        byte[] goodHeader = Arrays.copyOf(good, 5);
        Map<String, byte[]> badValues = new LinkedHashMap<>();
        // The first field is a string: declare ~2 GiB of it in a 12-byte value.
        badValues.put("MALFORMED_BODY", concat(goodHeader, zigzag(TWO_GIB_LESS_A_LITTLE), "abc".getBytes()));
        badValues.put(
                "UNSUPPORTED_SCHEMA_TYPE",
                withSchemaId(
                        good,
                        register(
                                "poison-protobuf",
                                "syntax = \"proto3\";\nmessage Flight {\n  string number = 1;\n}\n",
                                "PROTOBUF",
                                List.of())));
        register(
                "poison-airport",
                "{\"type\":\"record\",\"name\":\"Airport\",\"namespace\":\"it\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"}]}",
                "AVRO",
                List.of());
        badValues.put(
                "SCHEMA_REFERENCES",
                withSchemaId(
                        good,
                        register(
                                "poison-references",
                                "{\"type\":\"record\",\"name\":\"Flight\",\"namespace\":\"it\",\"fields\":[{\"name\":\"from\",\"type\":\"it.Airport\"}]}",
                                "AVRO",
                                List.of(Map.of("name", "it.Airport", "subject", "poison-airport", "version", 1)))));
        badValues.put(
                "INVALID_SCHEMA",
                withSchemaId(
                        good,
                        register(
                                "poison-recursive",
                                "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"it\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}",
                                "AVRO",
                                List.of())));
        badValues.put("UNKNOWN_SCHEMA_ID", withSchemaId(good, 999_999));
        // Not wire format, and so large that the error headers would push its dead letter past max.request.size.
        byte[] nearTheLimit = new byte[1_048_450];
        nearTheLimit[0] = 1;
        badValues.put("WRONG_MAGIC_BYTE", nearTheLimit);

        Map<Long, String> expectedReasonByOffset = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (Map.Entry<String, byte[]> bad : badValues.entrySet()) {
                pipeline.produce(1); // a good record between every two bad ones
                RecordMetadata metadata =
                        FlightPipeline.sendRaw(producer, new ProducerRecord<>(topic, null, null, bad.getValue()));
                expectedReasonByOffset.put(metadata.offset(), bad.getKey());
            }
        }
        int goodPerAirline = 1 + badValues.size();

        JobClient job = pipeline.start(pipeline.jobArgs());
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, goodPerAirline);
            pipeline.awaitRows(SUNSET_TABLE, goodPerAirline);
            List<ConsumerRecord<byte[], byte[]>> deadLetters =
                    KAFKA.readAllCommitted(topic + ".dlq", badValues.size(), FlightPipeline.WAIT);

            assertThat(deadLetters).hasSize(badValues.size());
            Map<Long, String> reasonByOffset = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
                reasonByOffset.put(
                        Long.parseLong(header(deadLetter.headers(), DeadLetterSerializer.SOURCE_OFFSET)),
                        header(deadLetter.headers(), DeadLetterSerializer.ERROR_REASON));
                if (deadLetter.value().length > 0 && deadLetter.value()[0] == 1) {
                    assertThat(header(deadLetter.headers(), DeadLetterSerializer.VALUE_ORIGINAL_SIZE))
                            .isEqualTo("1048450");
                }
            }
            assertThat(reasonByOffset).isEqualTo(expectedReasonByOffset);
            assertThat(pipeline.committedRows(SKY_ONE_TABLE)).isEqualTo(goodPerAirline);
            assertThat(pipeline.committedRows(SUNSET_TABLE)).isEqualTo(goodPerAirline);

            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(numRestarts(job)).isZero();
        } finally {
            FlightPipeline.stop(job);
        }
    }

    /** The job's {@code numRestarts} metric, from the MiniCluster's REST API. */
    private static long numRestarts(JobClient job) throws IOException, InterruptedException {
        Configuration client = FLINK.getClientConfiguration();
        URI uri = URI.create("http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT) + "/jobs/"
                + job.getJobID() + "/metrics?get=numRestarts");
        // The REST metric fetcher fills its cache on the first request: ask until the metric is there.
        long deadline = System.nanoTime() + FlightPipeline.WAIT.toNanos();
        while (true) {
            HttpResponse<String> response =
                    HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode metrics = JSON.readTree(response.body());
            if (metrics.isArray() && !metrics.isEmpty()) {
                return Long.parseLong(metrics.get(0).get("value").asText());
            }
            assertThat(System.nanoTime())
                    .as("numRestarts at " + uri + ": " + response.body())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static int register(String subject, String schema, String schemaType, List<Map<String, Object>> references)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schema", schema);
        body.put("schemaType", schemaType);
        if (!references.isEmpty()) {
            body.put("references", references);
        }
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/subjects/" + subject + "/versions"))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("id").intValue();
    }

    private static byte[] withSchemaId(byte[] value, int schemaId) {
        byte[] copy = value.clone();
        ByteBuffer.wrap(copy, 1, 4).putInt(schemaId);
        return copy;
    }

    private static byte[] zigzag(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
