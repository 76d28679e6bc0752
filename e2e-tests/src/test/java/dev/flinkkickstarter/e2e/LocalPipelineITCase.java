package dev.flinkkickstarter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkkickstarter.localruntime.IcebergWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped fat jars on a real Flink session cluster, submitted with {@code flink run} through the
 * project's scripts: datagen-job writes flights to Kafka (exactly once), avro-to-iceberg-job writes them to
 * Iceberg, and the tables end up with exactly the generated rows, also after a TaskManager is killed. The
 * stack runs in its S3 shape ({@code local-stack.sh --warehouse s3}): the first test writes through the
 * REST catalog and S3FileIO to the S3 API server, the cloud's shape; the recovery test names a hadoop
 * warehouse on local disk, the default shape.
 */
class LocalPipelineITCase {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPipelineITCase.class);

    private static final String SKYONE = "airlines.skyone";
    private static final String SUNSET = "airlines.sunset";
    private static final String FLIGHT = "airlines.flight";
    /** Each raw table's unique key (the booking reference, also the Kafka key). */
    private static final Map<String, String> KEYS = Map.of(SKYONE, "confirmation", SUNSET, "reference_number");

    /** The optional field v2 of the Sky One value schema adds. */
    private static final String LOYALTY_TIER = "loyalty_tier";

    private static final List<String> BOTH_AIRLINES = List.of("skyone", "sunset");
    private static final Duration ROWS_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STATE_TIMEOUT = Duration.ofMinutes(2);

    @RegisterExtension
    static final LocalStackExtension STACK = LocalStackExtension.fromSystemProperties();

    @AfterEach
    void cancelJobsLeftRunning() {
        STACK.cancelUnfinishedJobs();
    }

    @Test
    void ingestsExactlyTheGeneratedFlightsIntoS3ThroughTheRestCatalog() throws Exception {
        int perAirline = 1000;
        String datagen = STACK.submit(
                "datagen",
                "--max-records",
                String.valueOf(perAirline),
                "--records-per-second",
                "unlimited",
                "--seed",
                "7",
                "--checkpoint-interval",
                "2s");
        // The ingestion job reads the value schemas from the registry when it starts: datagen registers them.
        awaitSubjects("airline.skyone-value", "airline.sunset-value");
        String ingestion = STACK.submit("iceberg", "--checkpoint-interval", "2s");
        IcebergWarehouse warehouse = STACK.defaultWarehouse();

        awaitRows(warehouse, perAirline, datagen, ingestion);
        awaitState(datagen, "FINISHED");
        assertNoMoreRowsArrive(warehouse, perAirline, ingestion);
        assertThat(STACK.jobState(ingestion)).as("ingestion job state").isEqualTo("RUNNING");
        for (String table : List.of(SKYONE, SUNSET, FLIGHT)) {
            String prefix = table.replace('.', '/');
            assertThat(STACK.bucketObjects(prefix + "/data"))
                    .as("data files of %s in the S3 bucket", table)
                    .isNotEmpty()
                    .allSatisfy(key -> assertThat(key).endsWith(".parquet"));
            assertThat(STACK.bucketObjects(prefix + "/metadata"))
                    .as("metadata of %s in the S3 bucket", table)
                    .anySatisfy(key -> assertThat(key).endsWith(".metadata.json"));
        }

        cancel(ingestion);
    }

    @Test
    void recoversFromAKilledTaskManagerWithoutLosingOrDuplicatingRows() throws Exception {
        // Topics, tables' warehouse and consumer group of its own: independent of the other test.
        int perAirline = 3000;
        String run = "recovery";
        String datagen = submitDatagen(
                run,
                BOTH_AIRLINES,
                "--max-records",
                String.valueOf(perAirline),
                // About 75 s of data: still flowing when the TaskManager dies, even when submitting the
                // ingestion job takes half a minute on a busy machine.
                "--records-per-second",
                "40",
                "--seed",
                "11");
        awaitSubjects(topic(run, "skyone") + "-value", topic(run, "sunset") + "-value");
        String ingestion = submitIngestion(run, BOTH_AIRLINES);
        IcebergWarehouse warehouse = IcebergWarehouse.at(warehouseUri(run));

        await("first rows committed to Iceberg")
                .atMost(ROWS_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    failIfFailed(datagen, ingestion);
                    return warehouse.rowCount(SKYONE) > 0;
                });
        assertThat(STACK.jobState(datagen))
                .as("datagen must still be producing when the TaskManager dies, or the kill proves nothing")
                .isEqualTo("RUNNING");
        assertThat(warehouse.rowCount(SKYONE)).isLessThan(perAirline);

        STACK.killTaskManager(1);
        STACK.startMissingComponents();

        awaitRows(warehouse, perAirline, datagen, ingestion);
        awaitState(datagen, "FINISHED");
        assertNoMoreRowsArrive(warehouse, perAirline, ingestion);
        assertThat(STACK.jobState(ingestion)).as("ingestion job state").isEqualTo("RUNNING");
        assertThat(STACK.restarts(ingestion))
                .as("the ingestion job restarted after the kill")
                .isPositive();
        assertThat(STACK.restarts(datagen))
                .as("datagen restarted after the kill")
                .isPositive();

        cancel(ingestion);
    }

    /**
     * One upsert table through {@code flink run}: datagen re-prices and cancels bookings, the raw table appends
     * every version (with its Kafka offset), and the upserting flight table must hold exactly the latest version
     * of each booking that is not cancelled, which the raw table tells.
     */
    @Test
    void anUpsertTableHoldsTheLatestVersionOfEachBooking() {
        int records = 1000;
        String run = "upsert";
        String datagen = submitDatagen(
                run,
                List.of("sunset"),
                "--airlines",
                "sunset",
                "--max-records",
                String.valueOf(records),
                "--records-per-second",
                "unlimited",
                "--update-ratio",
                "0.3",
                "--cancel-ratio",
                "0.1",
                "--seed",
                "13");
        awaitSubjects(topic(run, "sunset") + "-value");
        String ingestion = submitIngestion(run, List.of("sunset"), "--upsert-tables", FLIGHT);
        IcebergWarehouse warehouse = IcebergWarehouse.at(warehouseUri(run));

        await("every record in the append-only raw table")
                .atMost(ROWS_TIMEOUT)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    failIfFailed(datagen, ingestion);
                    return warehouse.rowCount(SUNSET) >= records;
                });
        awaitState(datagen, "FINISHED");
        long checkpoints = STACK.completedCheckpoints(ingestion);
        await("two more checkpoints of the ingestion job")
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> STACK.completedCheckpoints(ingestion) >= checkpoints + 2);

        List<Record> versions = warehouse.rows(SUNSET);
        assertThat(versions).as("rows of the append-only %s", SUNSET).hasSize(records);
        // A key always lands in one Kafka partition, so its latest version has the highest offset.
        Map<Object, Record> latest = versions.stream()
                .collect(Collectors.toMap(
                        row -> row.getField(KEYS.get(SUNSET)),
                        row -> row,
                        (a, b) -> (Long) a.getField("kafka_offset") > (Long) b.getField("kafka_offset") ? a : b));
        Map<Object, Record> expected = latest.entrySet().stream()
                .filter(entry -> !Boolean.TRUE.equals(entry.getValue().getField("cancelled")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(latest).as("updated bookings make fewer keys than records").hasSizeLessThan(records);
        assertThat(expected).as("cancelled bookings").hasSizeLessThan(latest.size());

        List<Record> flights = warehouse.rows(FLIGHT);
        assertThat(flights.stream().map(row -> row.getField("confirmation_code")))
                .as("one row per booking that is not cancelled in %s", FLIGHT)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Record flight : flights) {
            Record version = expected.get(flight.getField("confirmation_code"));
            assertThat(flight.getField("kafka_offset"))
                    .as("offset of %s", flight.getField("confirmation_code"))
                    .isEqualTo(version.getField("kafka_offset"));
            assertThat(flight.getField("price")).isEqualTo(version.getField("total_price"));
            assertThat(flight.getField("departure_time")).isEqualTo(version.getField("departure_time"));
        }
        assertThat(STACK.jobState(ingestion)).as("ingestion job state").isEqualTo("RUNNING");

        cancel(ingestion);
    }

    @Test
    void addsTheFieldOfAVersionRegisteredWhileTheJobRuns() throws Exception {
        // Topics, warehouse and consumer group of its own: independent of the other tests.
        int perAirline = 200;
        int perVersion = 100;
        String run = "evolution";
        String skyoneTopic = topic(run, "skyone");
        String subject = skyoneTopic + "-value";
        String datagen = submitDatagen(
                run,
                BOTH_AIRLINES,
                "--max-records",
                String.valueOf(perAirline),
                "--records-per-second",
                "unlimited",
                "--seed",
                "13");
        awaitSubjects(subject, topic(run, "sunset") + "-value");
        String ingestion = submitIngestion(run, BOTH_AIRLINES);
        IcebergWarehouse warehouse = IcebergWarehouse.at(warehouseUri(run));
        // The job has written datagen's v1 rows before v2 exists: the new version arrives while it runs.
        awaitRowCount(warehouse, SKYONE, perAirline, datagen, ingestion);

        JsonNode v1 = STACK.latestSchemaVersion(subject);
        Schema v1Schema = new Schema.Parser().parse(v1.path("schema").asText());
        Schema v2Schema = withOptionalString(v1Schema, LOYALTY_TIER);
        int v2Id = STACK.registerSchema(subject, v2Schema.toString());
        assertThat(v2Id).as("id of v2").isNotEqualTo(v1.path("id").asInt());

        // v2 and v1 records alternate on the topic: the job switches writer schema record by record.
        Map<String, String> tiersByConfirmation = new HashMap<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                STACK.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
            for (int i = 0; i < perVersion; i++) {
                GenericRecord v2Record = skyOneFlight(v2Schema, "EVOV2" + i, i);
                String tier = "tier-" + i % 3;
                v2Record.put(LOYALTY_TIER, tier);
                tiersByConfirmation.put("EVOV2" + i, tier);
                sends.add(producer.send(confluentRecord(skyoneTopic, v2Id, v2Record)));
                sends.add(producer.send(
                        confluentRecord(skyoneTopic, v1.path("id").asInt(), skyOneFlight(v1Schema, "EVOV1" + i, i))));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> send : sends) {
            send.get(); // throws if the broker did not take the record
        }

        int expectedRows = perAirline + 2 * perVersion;
        awaitRowCount(warehouse, SKYONE, expectedRows, datagen, ingestion);
        long checkpoints = STACK.completedCheckpoints(ingestion);
        await("two more checkpoints of the ingestion job")
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> STACK.completedCheckpoints(ingestion) >= checkpoints + 2);

        List<Record> rows = warehouse.rows(SKYONE);
        assertThat(rows).as("rows in %s", SKYONE).hasSize(expectedRows);
        assertThat(rows.get(0).struct().field(LOYALTY_TIER))
                .as("column %s of %s", LOYALTY_TIER, SKYONE)
                .isNotNull()
                .satisfies(column -> assertThat(column.isOptional()).isTrue());
        Map<Object, Object> tiersInTable = rows.stream()
                .filter(row -> row.getField(LOYALTY_TIER) != null)
                .collect(Collectors.toMap(row -> row.getField("confirmation"), row -> row.getField(LOYALTY_TIER)));
        assertThat(tiersInTable).as("%s values in %s", LOYALTY_TIER, SKYONE).isEqualTo(Map.copyOf(tiersByConfirmation));
        assertThat(rows.stream().filter(row -> row.getField(LOYALTY_TIER) == null))
                .as("rows written with v1 (datagen's and the interleaved ones), null in %s", LOYALTY_TIER)
                .hasSize(perAirline + perVersion);
        assertThat(STACK.jobState(ingestion)).as("ingestion job state").isEqualTo("RUNNING");

        cancel(ingestion);
    }

    /** {@code schema} plus an optional string field, default null: a compatible new version. */
    private static Schema withOptionalString(Schema schema, String name) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field(
                name,
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "Added while the ingestion job runs.",
                Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** A valid Sky One booking with every field of the v1 schema; any further field stays null. */
    private static GenericRecord skyOneFlight(Schema schema, String confirmation, int index) {
        long departure = Instant.parse("2026-06-01T08:00:00Z").toEpochMilli() + index * 60_000L;
        Schema.Field price = schema.getField("ticket_price");
        return new GenericRecordBuilder(schema)
                .set("email_address", "passenger" + index + "@example.com")
                .set("flight_departure_time", departure)
                .set("iata_departure_code", "ATL")
                .set("flight_arrival_time", departure + Duration.ofHours(2).toMillis())
                .set("iata_arrival_code", "LAX")
                .set("flight_number", "SKY" + (1000 + index))
                .set("confirmation", confirmation)
                .set(
                        price,
                        new Conversions.DecimalConversion()
                                .toBytes(
                                        new BigDecimal("199.99"),
                                        price.schema(),
                                        price.schema().getLogicalType()))
                .set("aircraft", "Airbus A320neo")
                .set("booking_agency_email", "agency@example.com")
                .build();
    }

    /** Confluent wire format: magic byte 0, the 4-byte big-endian schema id, the Avro binary body. */
    private static ProducerRecord<byte[], byte[]> confluentRecord(String topic, int schemaId, GenericRecord value)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0);
        bytes.write(ByteBuffer.allocate(Integer.BYTES).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(value.getSchema()).write(value, encoder);
        encoder.flush();
        String key = value.get("confirmation").toString();
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
    }

    /** A test's own topic for {@code airline}: each test writes topics, tables and groups named for its run. */
    private static String topic(String run, String airline) {
        return "e2e." + run + "." + airline;
    }

    private static String warehouseUri(String run) {
        return STACK.stateDir().resolve("warehouse-" + run).toUri().toString();
    }

    /** datagen-job writing {@code airlines} to the run's topics, with {@code flags} (2 s checkpoints). */
    private static String submitDatagen(String run, List<String> airlines, String... flags) {
        List<String> all = new ArrayList<>(List.of(flags));
        Collections.addAll(all, "--checkpoint-interval", "2s", "--transactional-id-prefix", "e2e-" + run);
        for (String airline : airlines) {
            Collections.addAll(all, "--" + airline + "-topic", topic(run, airline));
        }
        return STACK.submit("datagen", all.toArray(String[]::new));
    }

    /**
     * avro-to-iceberg-job reading the run's topics of {@code airlines} into tables {@code airlines.<airline>} and
     * the flight table of the run's warehouse, in the run's consumer group (2 s checkpoints), with {@code flags}.
     */
    private static String submitIngestion(String run, List<String> airlines, String... flags) {
        List<String> topics =
                airlines.stream().map(airline -> topic(run, airline)).toList();
        List<String> all = new ArrayList<>(List.of(flags));
        Collections.addAll(
                all,
                "--checkpoint-interval",
                "2s",
                "--warehouse",
                warehouseUri(run),
                "--topics",
                String.join(",", topics),
                "--table-mapping",
                airlines.stream()
                        .map(airline -> topic(run, airline) + "=airlines." + airline)
                        .collect(Collectors.joining(",")),
                "--flight-mapping",
                airlines.stream()
                        .map(airline -> topic(run, airline) + "=" + airline)
                        .collect(Collectors.joining(",")),
                "--consumer.group.id",
                "e2e-" + run);
        return STACK.submit("iceberg", all.toArray(String[]::new));
    }

    private static void awaitRowCount(
            IcebergWarehouse warehouse, String table, long rows, String datagen, String ingestion) {
        await(rows + " Iceberg rows in " + table)
                .atMost(ROWS_TIMEOUT)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    failIfFailed(datagen, ingestion);
                    return warehouse.exists(table) && warehouse.rowCount(table) >= rows;
                });
    }

    private static void awaitSubjects(String... subjects) {
        await("schema registry subjects " + List.of(subjects))
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> STACK.registrySubjects().containsAll(List.of(subjects)));
    }

    /** Waits until each raw table holds at least the expected rows and the flight table both airlines'. */
    private static void awaitRows(IcebergWarehouse warehouse, int perAirline, String datagen, String ingestion) {
        await("Iceberg rows: " + perAirline + " per airline table, " + 2 * perAirline + " in " + FLIGHT)
                .atMost(ROWS_TIMEOUT)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    failIfFailed(datagen, ingestion);
                    long skyone = warehouse.rowCount(SKYONE);
                    long sunset = warehouse.rowCount(SUNSET);
                    long flight = warehouse.rowCount(FLIGHT);
                    LOG.info("Rows: {} {}, {} {}, {} {}", SKYONE, skyone, SUNSET, sunset, FLIGHT, flight);
                    return skyone >= perAirline && sunset >= perAirline && flight >= 2L * perAirline;
                });
    }

    /**
     * Exact counts, and still exact after two more checkpoints (each one an Iceberg commit) of the ingestion
     * job: nothing lost, nothing written twice, nothing arriving late.
     */
    private static void assertNoMoreRowsArrive(IcebergWarehouse warehouse, int perAirline, String ingestion) {
        long checkpoints = STACK.completedCheckpoints(ingestion);
        await("two more checkpoints of the ingestion job")
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> STACK.completedCheckpoints(ingestion) >= checkpoints + 2);

        for (String table : List.of(SKYONE, SUNSET)) {
            assertThat(warehouse.rowCount(table)).as("rows in %s", table).isEqualTo(perAirline);
            List<Record> rows = warehouse.rows(table);
            assertThat(rows).as("rows read from %s", table).hasSize(perAirline);
            assertThat(rows.stream().map(row -> row.getField(KEYS.get(table))).distinct())
                    .as("distinct booking references in %s", table)
                    .hasSize(perAirline);
        }
        assertThat(warehouse.rowCount(FLIGHT)).as("rows in %s", FLIGHT).isEqualTo(2L * perAirline);
        List<Record> flights = warehouse.rows(FLIGHT);
        assertThat(flights.stream()
                        .map(row -> row.getField("airline") + "/" + row.getField("confirmation_code"))
                        .distinct())
                .as("distinct airline/confirmation pairs in %s", FLIGHT)
                .hasSize(2 * perAirline);
        assertThat(flights.stream()
                        .collect(Collectors.groupingBy(row -> row.getField("airline"), Collectors.counting()))
                        .values())
                .as("rows per airline in %s", FLIGHT)
                .containsExactly((long) perAirline, (long) perAirline);
    }

    private static void awaitState(String jobId, String state) {
        await("job " + jobId + " " + state)
                .atMost(STATE_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> STACK.jobState(jobId), state::equals);
    }

    private static void failIfFailed(String... jobIds) {
        for (String jobId : jobIds) {
            assertThat(STACK.jobState(jobId)).as("state of job %s", jobId).isNotEqualTo("FAILED");
        }
    }

    private static void cancel(String jobId) {
        STACK.cancel(jobId);
        awaitState(jobId, "CANCELED");
    }
}
