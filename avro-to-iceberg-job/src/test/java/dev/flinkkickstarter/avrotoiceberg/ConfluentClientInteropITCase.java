package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.datagen.DataGeneratorJob;
import dev.flinkkickstarter.datagen.FlightGenerator;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interoperability with Confluent's own serializer code: {@code @confluentinc/schemaregistry}, Confluent's
 * official Schema Registry client and Avro serdes for Node (installed by {@code npm ci --prefix
 * avro-to-iceberg-job/src/test/node}, which {@code .ci/run} does), against the local runtime's registry, with
 * and without basic auth (without, the client still sends {@code Authorization: Basic Og==}).
 *
 * <ul>
 *   <li>Its {@code AvroSerializer} writes flights; the ingestion job writes them to Iceberg exactly.
 *   <li>Its {@code AvroDeserializer} decodes what {@code datagen-job} wrote, field for field.
 * </ul>
 *
 * <p>Skip-or-fail policy: without Node or the installed npm packages the test fails when the environment
 * variable {@code CI} is set ({@code .ci/run} sets it), and is skipped with instructions otherwise.
 */
class ConfluentClientInteropITCase {

    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final Path SCRIPT = NODE_DIR.resolve("confluent-interop.js");
    private static final long NODE_TIMEOUT_MINUTES = 3;
    private static final long SEED = 7L;
    private static final Instant FIRST_DEPARTURE = Instant.parse("2026-12-01T00:00:00Z");
    private static final int RECORDS = 25;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension OPEN_REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final SchemaRegistryExtension SECURED_REGISTRY =
            new SchemaRegistryExtension().withBasicAuth("interop-key", "interop-secret");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @TempDir
    Path warehouse;

    @BeforeAll
    static void requireNodeAndConfluentClient() {
        String missing = null;
        if (!Files.isDirectory(
                NODE_DIR.resolve("node_modules").resolve("@confluentinc").resolve("schemaregistry"))) {
            missing = "the npm packages are not installed: run npm ci --prefix avro-to-iceberg-job/src/test/node";
        } else if (!nodeRuns()) {
            missing = "node (Node.js 20) is not on the PATH";
        }
        if (missing != null && System.getenv("CI") != null) {
            throw new AssertionError("Confluent client interop test cannot run in CI: " + missing);
        }
        String reason = "Skipped: " + missing;
        assumeTrue(missing == null, reason);
    }

    @ParameterizedTest(name = "basic auth: {0}")
    @ValueSource(booleans = {false, true})
    void flightsSerializedByConfluentsClientAreWrittenExactly(boolean basicAuth) throws Exception {
        SchemaRegistryExtension registry = registry(basicAuth);
        FlightPipeline pipeline =
                new FlightPipeline(KAFKA, registry, "from-node-" + basicAuth, warehouse).createTopicsAndSchemas(1);
        List<FlightPipeline.Produced<SpecificRecordBase>> skyOne =
                produceWithConfluentSerializer(registry, Airline.SKY_ONE, pipeline.skyOneTopic);
        List<FlightPipeline.Produced<SpecificRecordBase>> sunset =
                produceWithConfluentSerializer(registry, Airline.SUNSET, pipeline.sunsetTopic);

        JobClient job = pipeline.start(pipeline.jobArgs(credentialFlags(registry)));
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, RECORDS);
            pipeline.awaitRows(SUNSET_TABLE, RECORDS);
            pipeline.awaitRows(FLIGHT_TABLE, 2L * RECORDS);
        } finally {
            FlightPipeline.stop(job);
        }
        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), skyOne);
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), sunset);
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), new FlightPipeline.Flights(skyOne, sunset));
    }

    @ParameterizedTest(name = "basic auth: {0}")
    @ValueSource(booleans = {false, true})
    void confluentsDeserializerReadsWhatDatagenWrote(boolean basicAuth) throws Exception {
        SchemaRegistryExtension registry = registry(basicAuth);
        String skyOneTopic = "to-node-" + basicAuth + ".skyone";
        String sunsetTopic = "to-node-" + basicAuth + ".sunset";
        KAFKA.createTopic(skyOneTopic, 1);
        KAFKA.createTopic(sunsetTopic, 1);
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--schema-registry-url",
                registry.url(),
                "--skyone-topic",
                skyOneTopic,
                "--sunset-topic",
                sunsetTopic,
                "--max-records",
                Integer.toString(RECORDS),
                "--records-per-second",
                "unlimited",
                "--seed",
                Long.toString(SEED),
                "--departures-from",
                "2026-12-01",
                "--parallelism",
                "1",
                "--checkpoint-interval",
                "300ms"));
        args.addAll(List.of(credentialFlags(registry)));
        DataGeneratorJob.main(args.toArray(String[]::new));

        assertDecodedByConfluentDeserializer(registry, Airline.SKY_ONE, skyOneTopic);
        assertDecodedByConfluentDeserializer(registry, Airline.SUNSET, sunsetTopic);
    }

    private static <T extends SpecificRecordBase> void assertDecodedByConfluentDeserializer(
            SchemaRegistryExtension registry, Airline<T> airline, String topic) throws Exception {
        ArrayNode values = JsonNodeFactory.instance.arrayNode();
        for (ConsumerRecord<byte[], byte[]> record : KAFKA.readAllCommitted(topic, RECORDS, FlightPipeline.WAIT)) {
            values.add(Base64.getEncoder().encodeToString(record.value()));
        }
        ObjectNode request = request(registry, topic);
        request.set("values", values);

        JsonNode decoded = node("deserialize", request).get("records");

        FlightGenerator<T> generator = new FlightGenerator<>(airline, SEED, FIRST_DEPARTURE);
        List<JsonNode> expected = new ArrayList<>();
        for (long index = 0; index < RECORDS; index++) {
            expected.add(toJson(generator.map(index)));
        }
        List<JsonNode> actual = new ArrayList<>();
        decoded.forEach(actual::add);
        assertThat(actual)
                .as("records of %s decoded by Confluent's AvroDeserializer", topic)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Serializes generated flights with Confluent's AvroSerializer and produces the bytes unchanged. */
    private <T extends SpecificRecordBase>
            List<FlightPipeline.Produced<SpecificRecordBase>> produceWithConfluentSerializer(
                    SchemaRegistryExtension registry, Airline<T> airline, String topic) throws Exception {
        FlightGenerator<T> generator = new FlightGenerator<>(airline, SEED, FIRST_DEPARTURE);
        List<T> flights = new ArrayList<>();
        ArrayNode records = JsonNodeFactory.instance.arrayNode();
        for (long index = 0; index < RECORDS; index++) {
            T flight = generator.map(index);
            flights.add(flight);
            records.add(toJson(flight));
        }
        ObjectNode request = request(registry, topic);
        request.set("records", records);
        JsonNode values = node("serialize", request).get("values");
        assertThat(values).hasSize(RECORDS);

        int registeredId;
        try (SchemaRegistryClient client =
                SchemaRegistryClient.create(SchemaRegistrySettings.of(registry.clientProperties()))) {
            registeredId =
                    client.latest(ConfluentSchemaCoder.valueSubject(topic)).id();
        }
        List<FlightPipeline.Produced<SpecificRecordBase>> produced = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KAFKA.producerProperties())) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] value = Base64.getDecoder().decode(values.get(i).asText());
                ByteBuffer header = ByteBuffer.wrap(value);
                assertThat(header.get()).as("magic byte").isZero();
                assertThat(header.getInt()).as("schema id").isEqualTo(registeredId);
                byte[] key = airline.key(flights.get(i)).getBytes(StandardCharsets.UTF_8);
                RecordMetadata metadata = FlightPipeline.sendRaw(producer, new ProducerRecord<>(topic, key, value));
                produced.add(new FlightPipeline.Produced<>(
                        flights.get(i), topic, metadata.partition(), metadata.offset(), key, value));
            }
        }
        return produced;
    }

    /**
     * A flight as the Node script takes and gives it: longs as numbers, booleans as booleans, decimals as {@code
     * {"$bytes": b64}}.
     */
    private static JsonNode toJson(SpecificRecordBase flight) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (Schema.Field field : flight.getSchema().getFields()) {
            Object value = flight.get(field.pos());
            if (value instanceof Instant instant) {
                json.put(field.name(), instant.toEpochMilli());
            } else if (value instanceof BigDecimal decimal) {
                json.putObject(field.name())
                        .put(
                                "$bytes",
                                Base64.getEncoder()
                                        .encodeToString(decimal.unscaledValue().toByteArray()));
            } else if (value instanceof Number number) {
                json.put(field.name(), number.longValue());
            } else if (value instanceof Boolean bool) {
                json.put(field.name(), bool);
            } else {
                json.put(field.name(), String.valueOf(value));
            }
        }
        // Read back from text, as the script's answers are: small numbers then become int nodes on both sides.
        try {
            return JSON.readTree(json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode request(SchemaRegistryExtension registry, String topic) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("url", registry.url());
        request.put("topic", topic);
        String userInfo = registry.clientProperties().get("basic.auth.user.info");
        if (userInfo != null) {
            request.put("userInfo", userInfo);
        }
        return request;
    }

    private static String[] credentialFlags(SchemaRegistryExtension registry) {
        String userInfo = registry.clientProperties().get("basic.auth.user.info");
        return userInfo == null
                ? new String[0]
                : new String[] {
                    "--schema-registry.basic.auth.credentials.source",
                    "USER_INFO",
                    "--schema-registry.basic.auth.user.info",
                    userInfo
                };
    }

    private static SchemaRegistryExtension registry(boolean basicAuth) {
        return basicAuth ? SECURED_REGISTRY : OPEN_REGISTRY;
    }

    /** Runs the Node script with {@code request} on stdin; fails with its stderr if it fails. */
    private static JsonNode node(String command, JsonNode request) throws IOException, InterruptedException {
        Path output = Files.createTempFile("confluent-interop", ".json");
        Path errors = Files.createTempFile("confluent-interop", ".err");
        try {
            Process process = new ProcessBuilder("node", SCRIPT.getFileName().toString(), command)
                    .directory(NODE_DIR.toFile())
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(JSON.writeValueAsBytes(request));
            }
            if (!process.waitFor(NODE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("node " + command + " did not finish within " + NODE_TIMEOUT_MINUTES + " min");
            }
            assertThat(process.exitValue())
                    .as("node %s failed: %s", command, Files.readString(errors))
                    .isZero();
            return JSON.readTree(output.toFile());
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    private static boolean nodeRuns() {
        try {
            Process process = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(1, TimeUnit.MINUTES) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
