package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.ConfluentAvro;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job follows the registry while it runs: writer schemas that Iceberg can take evolve the table, the others
 * are dead-lettered without touching it; topics created later that match the pattern get their tables; a job
 * stopped with a savepoint and resubmitted from it as a new job keeps exactly once.
 */
class RegistryFollowingITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    /** Without compatibility rules: the job must judge writer schemas itself, whatever the registry let through. */
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension().withGlobalCompatibility("NONE");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    private static final Instant PLACED = Instant.parse("2026-12-01T10:00:00Z");

    private static final String V1 = """
            {"type": "record", "name": "Order", "namespace": "test.orders", "fields": [
              {"name": "id", "type": "long"},
              {"name": "quantity", "type": "long"},
              {"name": "weight", "type": "double"},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "note", "type": "string"},
              {"name": "legacy", "type": "string"}]}""";

    /**
     * Allowed: a new optional field AND narrower types that convert losslessly (int into the long column, float
     * into the double column) in the same version, plus a required field dropped. Iceberg 1.11's sink alone fails
     * on new column + conversion in one record; the job hands it rows of the table's types.
     */
    private static final String V2 = """
            {"type": "record", "name": "Order", "namespace": "test.orders", "fields": [
              {"name": "id", "type": "long"},
              {"name": "quantity", "type": "int"},
              {"name": "weight", "type": "float"},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "note", "type": "string"},
              {"name": "channel", "type": ["null", "string"], "default": null}]}""";

    /** Forbidden versions: each changes one v1 field so that its column would change meaning. */
    private static final Map<String, String> FORBIDDEN = Map.of(
            "note", V1.replace("{\"name\": \"note\", \"type\": \"string\"}", "{\"name\": \"note\", \"type\": \"int\"}"),
            "price", V1.replace("\"scale\": 2", "\"scale\": 3"),
            "placed_at", V1.replace("timestamp-millis", "timestamp-micros"),
            "id", V1.replace("{\"name\": \"id\", \"type\": \"long\"}", "{\"name\": \"id\", \"type\": \"double\"}"));

    /** What each forbidden version's dead letters must say: the column and both types. */
    private static final Map<String, List<String>> EXPECTED_MESSAGES = Map.of(
            "note", List.of("'note'", "string", "int"),
            "price", List.of("'price'", "decimal(10, 2)", "decimal(10, 3)"),
            "placed_at", List.of("'placed_at'", "timestamp-millis", "timestamp-micros"),
            "id", List.of("'id'", "long", "double"));

    @TempDir
    Path warehouse;

    @TempDir
    Path savepoints;

    @Test
    void evolvesForCompatibleWritersAndDeadLettersTheOthersWithoutTouchingTheTable() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "shapes", warehouse);
        String topic = "shapes.orders";
        TableIdentifier table = TableIdentifier.parse("airlines.orders");
        KAFKA.createTopic(topic, 1);
        KAFKA.createTopic(topic + ".dlq", 1);
        Schema v1 = register(pipeline, topic, V1);
        Map<Long, Expected> expected = new HashMap<>();
        produce(pipeline, topic, v1, 0, 5, expected);

        JobClient job = pipeline.start(pipeline.jobArgsFor(topic, topic + "=skyone", "--flight-table", "none"));
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        org.apache.iceberg.Schema evolved;
        try {
            pipeline.awaitRows(table, 5);
            Schema v2 = register(pipeline, topic, V2);
            for (int i = 0; i < 5; i++) {
                produce(pipeline, topic, v2, 5 + i, 1, expected);
                produce(pipeline, topic, v1, 10 + i, 1, expected);
            }
            pipeline.awaitRows(table, 15);
            evolved = pipeline.catalog().loadTable(table).schema();

            long badId = 100;
            Map<Long, String> badField = new HashMap<>();
            for (Map.Entry<String, String> forbidden : FORBIDDEN.entrySet()) {
                Schema bad = register(pipeline, topic, forbidden.getValue());
                for (int i = 0; i < 2; i++) {
                    badField.put(badId, forbidden.getKey());
                    produceBad(pipeline, topic, bad, badId++);
                }
            }
            produce(pipeline, topic, v1, 15, 5, expected);
            produce(pipeline, topic, v2, 20, 5, expected);
            pipeline.awaitRows(table, 25);
            deadLetters = KAFKA.readAllCommitted(topic + ".dlq", badField.size(), FlightPipeline.WAIT);
            assertThat(deadLetters).hasSize(badField.size());
        } finally {
            FlightPipeline.stop(job);
        }

        Table written = pipeline.catalog().loadTable(table);
        assertThat(written.schema().schemaId())
                .as("no forbidden version changed the table")
                .isEqualTo(evolved.schemaId());
        assertThat(written.schema().sameSchema(evolved)).isTrue();
        assertThat(written.schema().findField("quantity").type()).isEqualTo(Types.LongType.get());
        assertThat(written.schema().findField("weight").type()).isEqualTo(Types.DoubleType.get());
        assertThat(written.schema().findField("channel").isOptional()).isTrue();
        assertThat(written.schema().findField("legacy"))
                .as("a field the writer dropped keeps its column, now optional")
                .satisfies(column -> assertThat(column.isOptional()).isTrue());

        List<Record> rows = pipeline.rows(table);
        assertThat(rows).hasSize(25);
        Map<Long, Record> byId = new HashMap<>();
        rows.forEach(row -> assertThat(byId.put((Long) row.getField("id"), row))
                .as("duplicate id %s", row.getField("id"))
                .isNull());
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((id, values) -> values.assertMatches(byId.get(id)));

        for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
            assertThat(header(deadLetter.headers(), DeadLetterSerializer.ERROR_REASON))
                    .isEqualTo("INCOMPATIBLE_SCHEMA");
            String message = header(deadLetter.headers(), DeadLetterSerializer.ERROR_MESSAGE);
            assertThat(EXPECTED_MESSAGES.values())
                    .as("dead letter message %s", message)
                    .anySatisfy(words -> assertThat(message).contains(words));
        }
        assertThat(deadLetters.stream()
                        .map(deadLetter -> header(deadLetter.headers(), DeadLetterSerializer.ERROR_MESSAGE))
                        .map(message -> EXPECTED_MESSAGES.entrySet().stream()
                                .filter(entry -> entry.getValue().stream().allMatch(message::contains))
                                .map(Map.Entry::getKey)
                                .findFirst()
                                .orElse("?")))
                .as("two dead letters per forbidden version")
                .containsExactlyInAnyOrder("note", "note", "price", "price", "placed_at", "placed_at", "id", "id");
    }

    @Test
    void writesTopicsCreatedAfterTheStartThatMatchThePattern() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "pattern", warehouse);
        String first = "pattern.first";
        String second = "pattern.second";
        KAFKA.createTopic(first, 1);
        KAFKA.createTopic(first + ".dlq", 1);
        Map<Long, Expected> firstExpected = new HashMap<>();
        produce(pipeline, first, register(pipeline, first, V1), 0, 5, firstExpected);

        // Matches the input topics but not their dead-letter topics.
        JobClient job =
                pipeline.start(pipeline.jobArgsForPattern("pattern\\.[a-z]+", "--partition-discovery-interval", "1s"));
        Map<Long, Expected> secondExpected = new HashMap<>();
        try {
            pipeline.awaitRows(TableIdentifier.parse("airlines.first"), 5);
            KAFKA.createTopic(second, 2);
            KAFKA.createTopic(second + ".dlq", 1);
            produce(pipeline, second, register(pipeline, second, V1), 0, 7, secondExpected);
            pipeline.awaitRows(TableIdentifier.parse("airlines.second"), 7);
        } finally {
            FlightPipeline.stop(job);
        }

        for (Map.Entry<String, Map<Long, Expected>> topic : Map.of(
                        "airlines.first", firstExpected, "airlines.second", secondExpected)
                .entrySet()) {
            List<Record> rows = pipeline.rows(TableIdentifier.parse(topic.getKey()));
            assertThat(rows)
                    .as("rows of %s", topic.getKey())
                    .hasSize(topic.getValue().size());
            for (Record row : rows) {
                topic.getValue().get((Long) row.getField("id")).assertMatches(row);
            }
        }
    }

    /**
     * How users upgrade a job on a session cluster: stop it with a savepoint and submit it again from that
     * savepoint, which gives it a new job id. Iceberg 1.12 fixed duplicate commits of its dynamic sink in that
     * case (apache/iceberg#16011): with 1.11, every record must still be committed exactly once, while records
     * keep arriving, several times over.
     */
    @Test
    void keepsExactlyOnceAcrossStopWithSavepointAndResubmission() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "upgrade", warehouse).createTopicsAndSchemas(2);
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicReference<FlightPipeline.Flights> produced = new AtomicReference<>(pipeline.produce(20));
        Thread producer = new Thread(() -> {
            while (producing.get()) {
                produced.set(produced.get().plus(pipeline.produce(5)));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        String[] args = pipeline.jobArgs();
        JobClient job = pipeline.start(args);
        producer.start();
        try {
            for (int restart = 0; restart < 3; restart++) {
                long committed = pipeline.committedRows(SKY_ONE_TABLE);
                pipeline.awaitRows(SKY_ONE_TABLE, committed + 1);
                String savepoint = job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
                JobClient resubmitted = pipeline.startFromSavepoint(savepoint, args);
                assertThat(resubmitted.getJobID()).isNotEqualTo(job.getJobID());
                job = resubmitted;
            }
            producing.set(false);
            producer.join();
            FlightPipeline.Flights flights = produced.get();
            pipeline.awaitRows(SKY_ONE_TABLE, flights.skyOne().size());
            pipeline.awaitRows(SUNSET_TABLE, flights.sunset().size());
            pipeline.awaitRows(
                    FLIGHT_TABLE, flights.skyOne().size() + flights.sunset().size());
        } finally {
            producing.set(false);
            producer.join();
            FlightPipeline.stop(job);
        }

        FlightPipeline.Flights flights = produced.get();
        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), flights.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), flights.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), flights);
    }

    private static Schema register(FlightPipeline pipeline, String topic, String schemaJson) throws Exception {
        Schema schema = new Schema.Parser().parse(schemaJson);
        pipeline.registryClient().register(ConfluentSchemaCoder.valueSubject(topic), schema);
        return schema;
    }

    /** What a table row of a produced order must hold. */
    private record Expected(
            long id,
            long quantity,
            double weight,
            BigDecimal price,
            Instant placedAt,
            String note,
            String legacy,
            String channel) {

        void assertMatches(Record row) {
            assertThat(row).as("row of order %s", id).isNotNull();
            assertThat(row.getField("quantity")).as("quantity of %s", id).isEqualTo(quantity);
            assertThat(row.getField("weight")).as("weight of %s", id).isEqualTo(weight);
            assertThat(row.getField("price")).as("price of %s", id).isEqualTo(price);
            assertThat(((OffsetDateTime) row.getField("placed_at")).toInstant())
                    .as("placed_at of %s", id)
                    .isEqualTo(placedAt);
            assertThat(row.getField("note")).as("note of %s", id).isEqualTo(note);
            assertThat(row.getField("legacy")).as("legacy of %s", id).isEqualTo(legacy);
            if (row.struct().field("channel") != null) {
                assertThat(row.getField("channel")).as("channel of %s", id).isEqualTo(channel);
            }
        }
    }

    /** Produces orders {@code firstId..} of {@code schema} (v1 or v2) and records what their rows must hold. */
    private static void produce(
            FlightPipeline pipeline,
            String topic,
            Schema schema,
            long firstId,
            int count,
            Map<Long, Expected> expected) {
        boolean v2 = schema.getField("channel") != null;
        var serializer = ConfluentAvro.genericSerializer(schema, topic, pipeline.registrySettings());
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            for (long id = firstId; id < firstId + count; id++) {
                BigDecimal price = new BigDecimal(id + ".25");
                Instant placedAt = PLACED.plusSeconds(id);
                GenericRecord record = new GenericData.Record(schema);
                record.put("id", id);
                record.put("quantity", v2 ? (Object) (int) (10 + id) : (Object) (10 + id));
                record.put("weight", v2 ? (Object) (0.5f * id) : (Object) (0.5 * id));
                record.put("price", ByteBuffer.wrap(price.unscaledValue().toByteArray()));
                record.put("placed_at", placedAt.toEpochMilli());
                record.put("note", "note " + id);
                if (v2) {
                    record.put("channel", "web");
                } else {
                    record.put("legacy", "legacy " + id);
                }
                FlightPipeline.sendRaw(producer, new ProducerRecord<>(topic, serializer.serialize(record)));
                expected.put(
                        id,
                        new Expected(
                                id,
                                10 + id,
                                0.5 * id,
                                price,
                                placedAt,
                                "note " + id,
                                v2 ? null : "legacy " + id,
                                v2 ? "web" : null));
            }
        }
    }

    /** Produces one order of a forbidden version, with values of that version's types. */
    private static void produceBad(FlightPipeline pipeline, String topic, Schema schema, long id) {
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            Object value = switch (field.schema().getType()) {
                case LONG -> field.name().equals("id") ? id : 1_000_000L;
                case INT -> 7;
                case DOUBLE -> (double) id;
                case BYTES ->
                    ByteBuffer.wrap(new BigDecimal("1.234").unscaledValue().toByteArray());
                case STRING -> "bad " + id;
                default -> throw new IllegalStateException("Unexpected field " + field);
            };
            record.put(field.name(), value);
        }
        try (KafkaProducer<byte[], byte[]> producer = pipeline.producer()) {
            FlightPipeline.sendRaw(
                    producer,
                    new ProducerRecord<>(
                            topic,
                            ConfluentAvro.genericSerializer(schema, topic, pipeline.registrySettings())
                                    .serialize(record)));
        }
    }
}
