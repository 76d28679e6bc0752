package dev.flinkkickstarter.iceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.WireFormatException;
import dev.flinkkickstarter.common.iceberg.AvroToRowData;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Schema;

/**
 * Turns one topic's Kafka records into rows of its raw table (main output), rows of the unified
 * flight table (side output {@link #flightsTag()}) and, for records that cannot be decoded or
 * converted, dead letters (side output {@link #DEAD_LETTERS}), so one bad record never stops the
 * job.
 *
 * <p>Metrics, in the group {@code topic=<topic>}: {@code recordsIn}, {@code recordsWritten} (rows
 * handed to the Iceberg writers; they become visible with the next checkpoint's commit) and {@code
 * recordsDeadLettered}.
 */
final class RecordsToRows extends ProcessFunction<KafkaRecord, RowData> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final ConfluentAvroDecoder decoder;
    /** Schema text: Avro schemas' Java serialization is not stable across Avro versions. */
    private final String readerSchemaJson;

    private final Schema rawTableSchema;

    @Nullable
    private final FlightMapping flightMapping;

    @Nullable
    private final Schema flightTableSchema;

    @Nullable
    private final OutputTag<RowData> flightsTag;

    private transient AvroToRowData converter;
    private transient KafkaLineage rawLineage;

    @Nullable
    private transient FlightMapping.Mapper flightMapper;

    private transient Counter recordsIn;
    private transient Counter recordsWritten;
    private transient Counter recordsDeadLettered;

    /**
     * @param decoder decodes the topic's values into records of the reader schema
     * @param readerSchema the schema {@code decoder} reads with, which {@code rawTableSchema} was derived from
     * @param flightMapping how the topic maps onto the unified table, or null if it does not
     */
    RecordsToRows(
            ConfluentAvroDecoder decoder,
            org.apache.avro.Schema readerSchema,
            Schema rawTableSchema,
            @Nullable FlightMapping flightMapping,
            @Nullable Schema flightTableSchema) {
        this.decoder = checkNotNull(decoder, "decoder");
        this.readerSchemaJson = readerSchema.toString();
        this.rawTableSchema = checkNotNull(rawTableSchema, "rawTableSchema");
        this.flightMapping = flightMapping;
        this.flightTableSchema = flightTableSchema;
        if (flightMapping != null) {
            checkNotNull(flightTableSchema, "flightTableSchema");
            flightMapping.bind(rawTableSchema, flightTableSchema); // fail at job build time, not on the cluster
            this.flightsTag = new OutputTag<>("flights", AvroToIcebergJob.rowTypeInfo(flightTableSchema));
        } else {
            this.flightsTag = null;
        }
    }

    /** The side output of unified flight rows; null if the topic has no flight mapping. */
    @Nullable
    OutputTag<RowData> flightsTag() {
        return flightsTag;
    }

    @Override
    public void open(OpenContext openContext) {
        converter =
                AvroToRowData.forSchemas(rawTableSchema, new org.apache.avro.Schema.Parser().parse(readerSchemaJson));
        rawLineage = KafkaLineage.in(rawTableSchema);
        flightMapper = flightMapping == null ? null : flightMapping.bind(rawTableSchema, flightTableSchema);
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("topic", decoder.topic());
        recordsIn = metrics.counter("recordsIn");
        recordsWritten = metrics.counter("recordsWritten");
        recordsDeadLettered = metrics.counter("recordsDeadLettered");
    }

    @Override
    public void processElement(KafkaRecord record, Context context, Collector<RowData> rawRows) throws Exception {
        recordsIn.inc();
        GenericRecord decoded;
        try {
            decoded = decoder.decode(record.value);
        } catch (WireFormatException e) {
            deadLetter(record, e.reason().name(), e.getMessage(), context);
            return;
        }
        // Any other IOException means the registry did not answer: fail and retry, the record is fine.
        GenericRowData raw;
        GenericRowData flight = null;
        try {
            raw = converter.convert(decoded);
            rawLineage.write(record, raw);
            if (flightMapper != null) {
                flight = flightMapper.map(raw);
            }
        } catch (RuntimeException e) {
            deadLetter(record, DeadLetter.CONVERSION_ERROR, e.toString(), context);
            return;
        }
        rawRows.collect(raw);
        if (flight != null) {
            context.output(flightsTag, flight);
        }
        recordsWritten.inc();
    }

    private void deadLetter(KafkaRecord record, String reason, String message, Context context) {
        context.output(DEAD_LETTERS, DeadLetter.of(record, reason, message));
        recordsDeadLettered.inc();
    }
}
