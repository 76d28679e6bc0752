package dev.flinkkickstarter.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.WireFormatException;
import dev.flinkkickstarter.common.iceberg.AvroToRowData;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Schema;

/**
 * Turns the Kafka records of all input topics into table rows: each topic's rows go to its raw
 * table's output ({@link #rawRowsTag}), rows of the unified flight table to {@link #flightsTag()},
 * and records that cannot be decoded or converted to {@link #DEAD_LETTERS}, so one bad record never
 * stops the job. Nothing goes to the main output.
 *
 * <p>For an upsert table ({@link UpsertKeys}) a cancelled record becomes a {@link RowKind#DELETE}
 * row, and so does a Kafka tombstone with a key where the key says which row it deletes ({@link
 * KeyedDeletes}); Iceberg's upsert writer turns every other row into a delete of its key plus an
 * insert.
 *
 * <p>One operator for all topics keeps the whole pipeline, from the Kafka source to every table's
 * writer, in one chain: no row is serialized between threads, and checkpoint barriers never wait
 * behind buffered rows.
 *
 * <p>Metrics, in the group {@code topic=<topic>}: {@code recordsIn}, {@code recordsWritten} (rows
 * handed to the Iceberg writers; they become visible with the next checkpoint's commit) and {@code
 * recordsDeadLettered}.
 */
final class RecordsToRows extends ProcessFunction<KafkaRecord, Void> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final Map<String, TopicSpec> topics;

    @Nullable
    private final Schema flightTableSchema;

    @Nullable
    private final OutputTag<RowData> flightsTag;

    private transient Map<String, TopicConverter> converters;

    private RecordsToRows(Map<String, TopicSpec> topics, @Nullable Schema flightTableSchema) {
        this.topics = topics;
        this.flightTableSchema = flightTableSchema;
        this.flightsTag = flightTableSchema == null
                ? null
                : new OutputTag<>("flights", AvroToIcebergJob.rowTypeInfo(flightTableSchema));
    }

    static Builder builder() {
        return new Builder();
    }

    /** The output of {@code topic}'s raw table rows. */
    OutputTag<RowData> rawRowsTag(String topic) {
        TopicSpec spec = topics.get(topic);
        checkArgument(spec != null, "Topic '%s' is not an input of this job: %s", topic, topics.keySet());
        return spec.rawRowsTag;
    }

    /** The output of unified flight rows; empty if the job has no flight table. */
    Optional<OutputTag<RowData>> flightsTag() {
        return Optional.ofNullable(flightsTag);
    }

    @Override
    public void open(OpenContext openContext) {
        converters = new HashMap<>();
        topics.forEach((topic, spec) -> converters.put(
                topic,
                new TopicConverter(
                        spec,
                        flightTableSchema,
                        getRuntimeContext().getMetricGroup().addGroup("topic", topic))));
    }

    @Override
    public void processElement(KafkaRecord record, Context context, Collector<Void> unused) throws Exception {
        TopicConverter topic = converters.get(record.topic);
        checkState(topic != null, "Record from topic '%s', which this job does not read", record.topic);
        topic.recordsIn.inc();
        if (record.value == null && record.key != null && topic.deletes.takesTombstones()) {
            writeTombstone(topic, record, context);
            return;
        }
        GenericRecord decoded;
        try {
            decoded = topic.spec.decoder.decode(record.value);
        } catch (WireFormatException e) {
            deadLetter(topic, record, e.reason().name(), e.getMessage(), context);
            return;
        }
        // Any other IOException means the registry did not answer: fail and retry, the record is fine.
        GenericRowData raw;
        GenericRowData flight = null;
        try {
            raw = topic.converter.convert(decoded);
            topic.lineage.write(record, raw);
            if (topic.flightMapper != null) {
                flight = topic.flightMapper.map(raw);
            }
            if (topic.deletes.isCancelled(raw)) {
                if (topic.spec.rawUpsert) {
                    raw.setRowKind(RowKind.DELETE);
                }
                if (flight != null && topic.spec.flightUpsert) {
                    flight.setRowKind(RowKind.DELETE);
                }
            }
        } catch (RuntimeException e) {
            deadLetter(topic, record, DeadLetter.CONVERSION_ERROR, e.toString(), context);
            return;
        }
        context.output(topic.spec.rawRowsTag, raw);
        if (flight != null) {
            context.output(flightsTag, flight);
        }
        topic.recordsWritten.inc();
    }

    /** A tombstone deletes its key's row from the raw table, and from the flight table where the key says which. */
    private void writeTombstone(TopicConverter topic, KafkaRecord record, Context context) {
        GenericRowData delete = topic.deletes.tombstone(record);
        context.output(topic.spec.rawRowsTag, delete);
        if (topic.spec.flightTombstones) {
            GenericRowData flight = topic.flightMapper.map(delete);
            flight.setRowKind(RowKind.DELETE);
            context.output(flightsTag, flight);
        }
        topic.recordsWritten.inc();
    }

    private static void deadLetter(
            TopicConverter topic, KafkaRecord record, String reason, String message, Context context) {
        context.output(DEAD_LETTERS, DeadLetter.of(record, reason, message));
        topic.recordsDeadLettered.inc();
    }

    /** How one topic's records become rows; shipped with the job. */
    private static final class TopicSpec implements Serializable {

        private static final long serialVersionUID = 1L;

        private final ConfluentAvroDecoder decoder;
        /** Schema text: Avro schemas' Java serialization is not stable across Avro versions. */
        private final String readerSchemaJson;

        private final Schema rawTableSchema;
        private final OutputTag<RowData> rawRowsTag;

        @Nullable
        private final FlightMapping flightMapping;

        private final boolean rawUpsert;
        private final boolean flightUpsert;
        /** The raw column a tombstone's key fills; null if tombstones are dead letters. */
        @Nullable
        private final String tombstoneKeyColumn;
        /** Whether a tombstone also deletes from the flight table: its key columns come from the tombstone's. */
        private final boolean flightTombstones;

        private TopicSpec(
                ConfluentAvroDecoder decoder,
                org.apache.avro.Schema readerSchema,
                Schema rawTableSchema,
                @Nullable FlightMapping flightMapping,
                @Nullable List<String> rawKey,
                @Nullable List<String> flightKey) {
            this.decoder = decoder;
            this.readerSchemaJson = readerSchema.toString();
            this.rawTableSchema = rawTableSchema;
            this.rawRowsTag = new OutputTag<>("rows-" + decoder.topic(), AvroToIcebergJob.rowTypeInfo(rawTableSchema));
            this.flightMapping = flightMapping;
            this.rawUpsert = rawKey != null;
            this.flightUpsert = flightKey != null && flightMapping != null;
            this.tombstoneKeyColumn = KeyedDeletes.tombstoneKeyColumn(rawTableSchema, rawKey);
            this.flightTombstones = flightUpsert
                    && tombstoneKeyColumn != null
                    && flightKey.stream()
                            .allMatch(column -> column.equals(FlightMapping.AIRLINE)
                                    || flightMapping.sourceColumn(column).equals(tombstoneKeyColumn));
        }
    }

    /** A topic's converters and metrics on the task. */
    private static final class TopicConverter {

        private final TopicSpec spec;
        private final AvroToRowData converter;
        private final KafkaLineage lineage;
        private final KeyedDeletes deletes;

        @Nullable
        private final FlightMapping.Mapper flightMapper;

        private final Counter recordsIn;
        private final Counter recordsWritten;
        private final Counter recordsDeadLettered;

        TopicConverter(TopicSpec spec, @Nullable Schema flightTableSchema, MetricGroup metrics) {
            this.spec = spec;
            this.converter = AvroToRowData.forSchemas(
                    spec.rawTableSchema, new org.apache.avro.Schema.Parser().parse(spec.readerSchemaJson));
            this.lineage = KafkaLineage.in(spec.rawTableSchema);
            this.deletes = new KeyedDeletes(spec.rawTableSchema, spec.tombstoneKeyColumn);
            this.flightMapper =
                    spec.flightMapping == null ? null : spec.flightMapping.bind(spec.rawTableSchema, flightTableSchema);
            this.recordsIn = metrics.counter("recordsIn");
            this.recordsWritten = metrics.counter("recordsWritten");
            this.recordsDeadLettered = metrics.counter("recordsDeadLettered");
        }
    }

    /** Collects the input topics and the flight table's schema. */
    static final class Builder {

        private final Map<String, TopicSpec> topics = new LinkedHashMap<>();

        @Nullable
        private Schema flightTableSchema;

        @Nullable
        private List<String> flightKey;

        private Builder() {}

        /** The flight table's upsert key; null (the default) if it appends. */
        Builder flightKey(@Nullable List<String> key) {
            this.flightKey = key;
            return this;
        }

        /** The unified flight table's schema; without it, no flight rows are made. */
        Builder flightTableSchema(@Nullable Schema schema) {
            this.flightTableSchema = schema;
            return this;
        }

        /**
         * An input topic.
         *
         * @param decoder decodes the topic's values into records of {@code readerSchema}
         * @param readerSchema the schema {@code rawTableSchema} was derived from
         * @param flightMapping how the topic maps onto the unified table, or null if it does not
         * @param rawKey the raw table's upsert key, or null if it appends
         */
        Builder topic(
                ConfluentAvroDecoder decoder,
                org.apache.avro.Schema readerSchema,
                Schema rawTableSchema,
                @Nullable FlightMapping flightMapping,
                @Nullable List<String> rawKey) {
            checkNotNull(decoder, "decoder");
            checkNotNull(readerSchema, "readerSchema");
            checkNotNull(rawTableSchema, "rawTableSchema");
            checkArgument(!topics.containsKey(decoder.topic()), "Topic '%s' is added twice", decoder.topic());
            topics.put(
                    decoder.topic(),
                    new TopicSpec(decoder, readerSchema, rawTableSchema, flightMapping, rawKey, flightKey));
            return this;
        }

        RecordsToRows build() {
            sanityCheck();
            return new RecordsToRows(Map.copyOf(topics), flightTableSchema);
        }

        private void sanityCheck() {
            checkState(!topics.isEmpty(), "No input topic");
            topics.forEach((topic, spec) -> {
                if (spec.flightMapping != null) {
                    checkState(
                            flightTableSchema != null,
                            "Topic '%s' maps onto the flight table, but there is no flight table schema",
                            topic);
                    // Fail while the job is built, not on the cluster.
                    spec.flightMapping.bind(spec.rawTableSchema, flightTableSchema);
                }
            });
        }
    }
}
