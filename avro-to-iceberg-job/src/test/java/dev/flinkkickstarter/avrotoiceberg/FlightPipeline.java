package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.ConfluentAvro;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.datagen.Airline;
import dev.flinkkickstarter.datagen.BookingChanges;
import dev.flinkkickstarter.datagen.FlightGenerator;
import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * One test's pipeline: its own topics (named {@code <prefix>.skyone} and {@code <prefix>.sunset},
 * so the job's default table names apply), warehouse and consumer group on the shared broker and
 * registry; producing datagen records; running the job on the test's MiniCluster; reading the
 * tables back with Iceberg's generic reader.
 */
final class FlightPipeline {

    /** Generous: a loaded two-core CI machine takes seconds per checkpoint. */
    static final Duration WAIT = Duration.ofMinutes(4);

    static final TableIdentifier SKY_ONE_TABLE = TableIdentifier.parse("airlines.skyone");
    static final TableIdentifier SUNSET_TABLE = TableIdentifier.parse("airlines.sunset");
    static final TableIdentifier FLIGHT_TABLE = TableIdentifier.parse("airlines.flight");
    private static final Instant FIRST_DEPARTURE = Instant.parse("2026-12-01T00:00:00Z");

    /** A produced record and where it landed. */
    record Produced<T>(T record, String topic, int partition, long offset, byte[] key, byte[] value) {}

    private final KafkaClusterExtension kafka;
    private final SchemaRegistryExtension registry;
    final String skyOneTopic;
    final String sunsetTopic;
    private final String prefix;
    private final Path warehouse;
    private final Map<String, String> catalogFlags = new HashMap<>();
    private final Map<String, SerializationSchema<?>> serializers = new HashMap<>();
    private Catalog catalog;
    private long nextIndex;
    private BookingChanges changes = BookingChanges.NONE;

    FlightPipeline(KafkaClusterExtension kafka, SchemaRegistryExtension registry, String prefix, Path warehouse) {
        this.kafka = kafka;
        this.registry = registry;
        this.prefix = prefix;
        this.skyOneTopic = prefix + ".skyone";
        this.sunsetTopic = prefix + ".sunset";
        this.warehouse = warehouse;
        catalogFlags.put("warehouse", warehouse.toUri().toString());
    }

    /** Produce bookings with these updates and cancellations of earlier ones from now on. */
    FlightPipeline withChanges(BookingChanges bookingChanges) {
        this.changes = bookingChanges;
        return this;
    }

    /** Use another catalog than the default hadoop one on the warehouse directory. */
    FlightPipeline withCatalogFlags(Map<String, String> flags) {
        catalogFlags.clear();
        catalogFlags.putAll(flags);
        return this;
    }

    /** Creates both topics and their dead-letter topics, and registers the datagen schemas. */
    FlightPipeline createTopicsAndSchemas(int partitions) throws IOException {
        for (String topic : List.of(skyOneTopic, sunsetTopic)) {
            kafka.createTopic(topic, partitions);
            kafka.createTopic(topic + ".dlq", 1);
        }
        registryClient()
                .register(
                        ConfluentSchemaCoder.valueSubject(skyOneTopic),
                        SpecificData.get().getSchema(Airline.SKY_ONE.recordClass()));
        registryClient()
                .register(
                        ConfluentSchemaCoder.valueSubject(sunsetTopic),
                        SpecificData.get().getSchema(Airline.SUNSET.recordClass()));
        return this;
    }

    /** Lets the test register any version under {@code subject}, whatever the registry's own checker thinks of it. */
    void setCompatibilityNone(String subject) throws IOException, InterruptedException {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(registry.url() + "/config/" + subject))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"compatibility\": \"NONE\"}"))
                .build();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("registry answer: %s", response.body())
                .isEqualTo(200);
    }

    SchemaRegistryClient registryClient() {
        return SchemaRegistryClient.create(registrySettings());
    }

    SchemaRegistrySettings registrySettings() {
        return SchemaRegistrySettings.of(registry.clientProperties());
    }

    /** Produces {@code count} generated records per airline, alternating airlines, and waits for the acks. */
    Flights produce(int count) {
        List<Produced<SpecificRecordBase>> skyOne = new ArrayList<>();
        List<Produced<SpecificRecordBase>> sunset = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int i = 0; i < count; i++) {
                long index = nextIndex++;
                skyOne.add(send(producer, Airline.SKY_ONE, skyOneTopic, index));
                sunset.add(send(producer, Airline.SUNSET, sunsetTopic, index));
            }
        }
        return new Flights(skyOne, sunset);
    }

    private <T extends SpecificRecordBase> Produced<SpecificRecordBase> send(
            KafkaProducer<byte[], byte[]> producer, Airline<T> airline, String topic, long index) {
        return send(producer, airline, topic, new FlightGenerator<>(airline, 42L, FIRST_DEPARTURE, changes).map(index));
    }

    /** Produces {@code record} keyed by its booking reference, as datagen does, and waits for the ack. */
    <T extends SpecificRecordBase> Produced<SpecificRecordBase> send(
            KafkaProducer<byte[], byte[]> producer, Airline<T> airline, String topic, T record) {
        @SuppressWarnings("unchecked") // one serializer per topic, of that topic's airline's record class
        SerializationSchema<T> serializer = (SerializationSchema<T>) serializers.computeIfAbsent(
                topic, t -> ConfluentAvro.serializer(airline.recordClass(), t, registrySettings()));
        byte[] key = airline.key(record).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] value = serializer.serialize(record);
        RecordMetadata metadata = sendRaw(producer, new ProducerRecord<>(topic, key, value));
        return new Produced<>(record, topic, metadata.partition(), metadata.offset(), key, value);
    }

    /**
     * Produces one generated Sky One record written with {@code schema}, a later version of Sky One's schema, with
     * {@code extraFields} set (fields v1 lacks); returns its position ({@link #position(Produced)}'s form).
     */
    String produceSkyOne(org.apache.avro.Schema schema, Map<String, String> extraFields) {
        SkyOneFlight flight = new FlightGenerator<>(Airline.SKY_ONE, 7L, FIRST_DEPARTURE).map(nextIndex++);
        GenericRecord record = new GenericData.Record(schema);
        for (org.apache.avro.Schema.Field field : SkyOneFlight.getClassSchema().getFields()) {
            Object value = flight.get(field.pos());
            record.put(
                    field.name(),
                    value instanceof BigDecimal price
                            ? ByteBuffer.wrap(price.unscaledValue().toByteArray())
                            : value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        extraFields.forEach(record::put);
        @SuppressWarnings("unchecked") // one serializer per (topic, schema)
        SerializationSchema<GenericRecord> serializer =
                (SerializationSchema<GenericRecord>) serializers.computeIfAbsent(
                        skyOneTopic + "#" + schema,
                        t -> ConfluentAvro.genericSerializer(schema, skyOneTopic, registrySettings()));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            RecordMetadata metadata =
                    sendRaw(producer, new ProducerRecord<>(skyOneTopic, serializer.serialize(record)));
            return metadata.topic() + "-" + metadata.partition() + "@" + metadata.offset();
        }
    }

    /** {@code schema} with an added optional string field {@code name} (default null). */
    static org.apache.avro.Schema withOptionalField(org.apache.avro.Schema schema, String name) {
        List<org.apache.avro.Schema.Field> fields = new ArrayList<>();
        schema.getFields().forEach(field -> fields.add(new org.apache.avro.Schema.Field(field, field.schema())));
        fields.add(new org.apache.avro.Schema.Field(
                name,
                org.apache.avro.Schema.createUnion(
                        org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL),
                        org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING)),
                "Added in a later version",
                org.apache.avro.Schema.Field.NULL_DEFAULT_VALUE));
        return org.apache.avro.Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** Produces a tombstone (null value) with {@code key}; its {@link Produced#record()} is null. */
    static Produced<SpecificRecordBase> sendTombstone(
            KafkaProducer<byte[], byte[]> producer, String topic, byte[] key) {
        RecordMetadata metadata = sendRaw(producer, new ProducerRecord<>(topic, key, null));
        return new Produced<>(null, topic, metadata.partition(), metadata.offset(), key, null);
    }

    static RecordMetadata sendRaw(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not produce to " + record.topic(), e);
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(kafka.producerProperties());
    }

    /** The job's flags for both airlines' topics, then {@code extra}. */
    String[] jobArgs(String... extra) {
        return jobArgsFor(skyOneTopic + "," + sunsetTopic, skyOneTopic + "=skyone," + sunsetTopic + "=sunset", extra);
    }

    /** The job's flags for {@code topics} with {@code flightMappings}, then {@code extra}. */
    String[] jobArgsFor(String topics, String flightMappings, String... extra) {
        List<String> args = new ArrayList<>(List.of("--topics", topics, "--flight-mapping", flightMappings));
        args.addAll(Arrays.asList(extra));
        return commonArgs(args);
    }

    /** The job's flags for the topics matching {@code topicPattern}, without the flight table, then {@code extra}. */
    String[] jobArgsForPattern(String topicPattern, String... extra) {
        List<String> args = new ArrayList<>(List.of("--topic-pattern", topicPattern, "--flight-table", "none"));
        args.addAll(Arrays.asList(extra));
        return commonArgs(args);
    }

    private String[] commonArgs(List<String> specific) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--schema-registry-url",
                registry.url(),
                "--consumer.group.id",
                prefix,
                "--checkpoint-interval",
                "1s",
                "--parallelism",
                "2",
                // Months, not the default days: the generator spreads departures over 180 days, and a day
                // partition per departure date would mean hundreds of tiny files per checkpoint in a test.
                "--partition-spec.airlines.skyone",
                "month(flight_departure_time)",
                "--partition-spec.airlines.sunset",
                "month(departure_time)",
                "--partition-spec.airlines.flight",
                "month(departure_time)"));
        catalogFlags.forEach((flag, value) -> {
            args.add("--" + flag);
            args.add(value);
        });
        // Last, so that a test's flags win over the defaults above (the last value of a flag counts).
        args.addAll(specific);
        return args.toArray(String[]::new);
    }

    /** Builds the job exactly as {@code main} does and submits it to the MiniCluster without blocking. */
    JobClient start(String... args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobArguments arguments = JobArguments.parse(args);
        AvroToIcebergJob.build(env, AvroToIcebergOptions.from(arguments), ClientSettings.load(arguments));
        return env.executeAsync("avro-to-iceberg " + prefix);
    }

    /**
     * Like {@link #start}, restoring the job's state from {@code savepoint}: a new job (new job id) from an old
     * job's savepoint, as {@code flink run -s} does.
     */
    JobClient startFromSavepoint(String savepoint, String... args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobArguments arguments = JobArguments.parse(args);
        AvroToIcebergJob.build(env, AvroToIcebergOptions.from(arguments), ClientSettings.load(arguments));
        org.apache.flink.streaming.api.graph.StreamGraph graph = env.getStreamGraph();
        graph.setJobName("avro-to-iceberg " + prefix);
        graph.setSavepointRestoreSettings(
                org.apache.flink.runtime.jobgraph.SavepointRestoreSettings.forPath(savepoint, false));
        return env.executeAsync(graph);
    }

    /**
     * Cancels the job and waits until it has stopped, so no task still writes to the warehouse
     * when the test cleans it up.
     */
    static void stop(JobClient job) throws Exception {
        job.cancel().get();
        awaitCondition(
                () -> job.getJobStatus().join().isGloballyTerminalState(),
                () -> "Job " + job.getJobID() + " did not stop within " + WAIT);
    }

    /** A client of the pipeline's catalog, opened once: the tests poll it often. */
    Catalog catalog() {
        if (catalog == null) {
            Map<String, String> properties = new HashMap<>();
            catalogFlags.forEach((flag, value) -> properties.put(
                    flag.startsWith("catalog.")
                            ? flag.substring("catalog.".length())
                            : flag.replace("catalog-type", IcebergCatalogs.TYPE),
                    value));
            catalog = IcebergCatalogs.loader(properties).loadCatalog();
        }
        return catalog;
    }

    /** Rows committed to {@code table} so far (0 before the first commit, or before the job creates the table). */
    long committedRows(TableIdentifier identifier) {
        if (!catalog().tableExists(identifier)) {
            return 0;
        }
        Table table = catalog().loadTable(identifier);
        Snapshot snapshot = table.currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().get("total-records"));
    }

    /** Waits until {@code table} has at least {@code expected} committed rows; fails saying how many it has. */
    void awaitRows(TableIdentifier table, long expected) {
        awaitCondition(
                () -> committedRows(table) >= expected,
                () -> "Expected at least " + expected + " committed rows in " + table + " within " + WAIT
                        + " but found " + committedRows(table));
    }

    static void awaitCondition(BooleanSupplier condition, java.util.function.Supplier<String> failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }
    }

    /** Every committed row of {@code table}. */
    List<Record> rows(TableIdentifier identifier) {
        Table table = catalog().loadTable(identifier);
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(rows::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static String position(Record row) {
        return row.getField(KafkaLineage.TOPIC) + "-" + row.getField(KafkaLineage.PARTITION) + "@"
                + row.getField(KafkaLineage.OFFSET);
    }

    static String position(Produced<?> produced) {
        return produced.topic() + "-" + produced.partition() + "@" + produced.offset();
    }

    /** An Iceberg generic value as the Java value Avro's specific records use. */
    static Object normalize(Object value) {
        if (value instanceof OffsetDateTime dateTime) {
            return dateTime.toInstant();
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof ByteBuffer buffer) {
            return new BigDecimal(new java.math.BigInteger(buffer.array()));
        }
        return value;
    }

    static String header(Iterable<Header> headers, String key) {
        for (Header header : headers) {
            if (header.key().equals(key)) {
                return new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("No header " + key);
    }

    /** The records produced for both airlines. */
    record Flights(List<Produced<SpecificRecordBase>> skyOne, List<Produced<SpecificRecordBase>> sunset) {

        Flights plus(Flights more) {
            List<Produced<SpecificRecordBase>> allSkyOne = new ArrayList<>(skyOne);
            allSkyOne.addAll(more.skyOne);
            List<Produced<SpecificRecordBase>> allSunset = new ArrayList<>(sunset);
            allSunset.addAll(more.sunset);
            return new Flights(allSkyOne, allSunset);
        }
    }

    /**
     * Asserts that {@code table} holds exactly one row per produced record (no duplicate, no gap)
     * and that each row's columns equal the record's fields.
     */
    static void assertRawTableMatches(List<Record> rows, List<Produced<SpecificRecordBase>> produced) {
        Map<String, Record> byPosition = new HashMap<>();
        for (Record row : rows) {
            assertThat(byPosition.put(position(row), row))
                    .as("duplicate row for Kafka record %s", position(row))
                    .isNull();
        }
        assertThat(byPosition.keySet())
                .as("rows by (topic, partition, offset)")
                .containsExactlyInAnyOrderElementsOf(
                        produced.stream().map(FlightPipeline::position).toList());
        for (Produced<SpecificRecordBase> expected : produced) {
            Record row = byPosition.get(position(expected));
            for (org.apache.avro.Schema.Field field :
                    expected.record().getSchema().getFields()) {
                assertThat(normalize(row.getField(field.name())))
                        .as("column %s of %s", field.name(), position(expected))
                        .isEqualTo(expected.record().get(field.pos()));
            }
            assertThat(row.getField(KafkaLineage.TIMESTAMP)).isNotNull();
        }
    }

    /** Asserts the unified table holds exactly the produced records of both airlines, mapped. */
    static void assertFlightTableMatches(List<Record> rows, Flights flights) {
        Map<String, Record> byPosition = new HashMap<>();
        for (Record row : rows) {
            assertThat(byPosition.put(position(row), row))
                    .as("duplicate flight row for Kafka record %s", position(row))
                    .isNull();
        }
        assertThat(byPosition)
                .hasSize(flights.skyOne().size() + flights.sunset().size());
        for (Produced<SpecificRecordBase> produced : flights.skyOne()) {
            dev.flinkkickstarter.datagen.skyone.SkyOneFlight f =
                    (dev.flinkkickstarter.datagen.skyone.SkyOneFlight) produced.record();
            assertFlight(
                    byPosition.get(position(produced)),
                    "Sky One",
                    f.getEmailAddress(),
                    f.getFlightDepartureTime(),
                    f.getIataDepartureCode(),
                    f.getFlightArrivalTime(),
                    f.getIataArrivalCode(),
                    f.getFlightNumber(),
                    f.getConfirmation(),
                    f.getTicketPrice(),
                    f.getAircraft());
        }
        for (Produced<SpecificRecordBase> produced : flights.sunset()) {
            dev.flinkkickstarter.datagen.sunset.SunsetFlight f =
                    (dev.flinkkickstarter.datagen.sunset.SunsetFlight) produced.record();
            assertFlight(
                    byPosition.get(position(produced)),
                    "Sunset Air",
                    f.getCustomerEmailAddress(),
                    f.getDepartureTime(),
                    f.getDepartureAirport(),
                    f.getArrivalTime(),
                    f.getArrivalAirport(),
                    f.getFlightId(),
                    f.getReferenceNumber(),
                    f.getTotalPrice(),
                    f.getAircraftDetails());
        }
    }

    private static void assertFlight(Record row, Object... expected) {
        assertThat(row).as("flight row").isNotNull();
        String[] columns = {
            FlightMapping.AIRLINE,
            FlightMapping.EMAIL,
            FlightMapping.DEPARTURE_TIME,
            FlightMapping.DEPARTURE_AIRPORT,
            FlightMapping.ARRIVAL_TIME,
            FlightMapping.ARRIVAL_AIRPORT,
            FlightMapping.FLIGHT_NUMBER,
            FlightMapping.CONFIRMATION_CODE,
            FlightMapping.PRICE,
            FlightMapping.AIRCRAFT
        };
        for (int i = 0; i < columns.length; i++) {
            assertThat(normalize(row.getField(columns[i])))
                    .as("flight column %s of %s", columns[i], position(row))
                    .isEqualTo(expected[i]);
        }
    }
}
