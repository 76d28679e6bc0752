package dev.flinkkickstarter.iceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.DecodeMetrics;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.avro.WireFormatException;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import dev.flinkkickstarter.iceberg.AvroToIcebergOptions.TopicRoute;
import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;

/**
 * Turns the Kafka records of all input topics into {@link DynamicRecord}s for Iceberg's dynamic sink: each
 * record, read in its own writer schema, becomes a row of its raw table and, for topics that feed it, of the
 * unified flight table. Records that cannot be decoded or written go to {@link #DEAD_LETTERS}, so one bad
 * record never stops the job.
 *
 * <p>What a writer schema's records become is worked out once per (topic, schema id), when its first record
 * arrives ({@link WritePlanner}); after that a record costs one small map lookup on top of decoding and
 * converting. A new schema id that adds fields becomes new columns before its rows are committed: the sink
 * evolves the table to the row schema each record carries.
 *
 * <p>One operator for all topics keeps the whole pipeline, from the Kafka source to the Iceberg writers, in one
 * chain: no row is serialized between threads, and checkpoint barriers never wait behind buffered rows.
 *
 * <p>Metrics, in the group {@code topic=<topic>}: {@code recordsIn}, {@code recordsWritten} (raw rows handed to
 * the sink; they become visible with the next checkpoint's commit), {@code recordsDeadLettered} and {@code
 * flightRowsFailed} (records whose raw row was written but whose unified flight row could not be made), and
 * {@link DecodeMetrics}' dead letters by reason and registry calls.
 */
final class RecordsToRows extends ProcessFunction<KafkaRecord, DynamicRecord> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** Writer schemas remembered per topic; a topic rarely has more than a handful alive at once. */
    private static final int MAX_PLANS_PER_TOPIC = 64;

    private final TopicRouter router;
    private final SchemaRegistrySettings registrySettings;
    private final CatalogLoader catalogLoader;
    private final Map<String, String> partitionSpecs;

    /** The flight table's name: {@link TableIdentifier} is not serializable. */
    @Nullable
    private final String flightTableName;

    @Nullable
    private final Schema flightSchema;

    @Nullable
    private final PartitionSpec flightSpec;

    @Nullable
    private final DistributionMode distributionMode;

    @Nullable
    private transient TableIdentifier flightTable;

    private transient Map<String, TopicState> topics;
    private transient Catalog catalog;
    private transient SchemaRegistryClient registry;
    private transient WritePlanner planner;

    private RecordsToRows(Builder builder) {
        this.router = builder.router;
        this.registrySettings = builder.registrySettings;
        this.catalogLoader = builder.catalogLoader;
        this.partitionSpecs = new HashMap<>(builder.partitionSpecs);
        this.flightTableName = builder.flightTable == null ? null : builder.flightTable.toString();
        this.flightSchema = builder.flightSchema;
        this.flightSpec = builder.flightSpec;
        this.distributionMode = builder.distributionMode;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(OpenContext openContext) {
        topics = new HashMap<>();
        flightTable = flightTableName == null ? null : TableIdentifier.parse(flightTableName);
        catalog = catalogLoader.loadCatalog();
        registry = SchemaRegistryClient.create(registrySettings);
        planner = new WritePlanner(catalog, registry, table -> partitionSpecs.getOrDefault(table, ""), flightSchema);
    }

    /**
     * Decoders and the planner hold registry clients (HTTP threads) and the catalog may hold an HTTP client:
     * without closing them, every failover would leak them.
     */
    @Override
    public void close() throws Exception {
        if (topics != null) {
            topics.values().forEach(topic -> topic.decoder.close());
        }
        if (registry != null) {
            registry.close();
        }
        if (catalog instanceof Closeable closeable) {
            closeable.close();
        }
    }

    @Override
    public void processElement(KafkaRecord record, Context context, Collector<DynamicRecord> out) throws Exception {
        TopicState topic = topics.get(record.topic);
        if (topic == null) {
            topic = new TopicState(record.topic);
            topics.put(record.topic, topic);
        }
        topic.recordsIn.inc();
        if (topic.route == null) {
            deadLetter(topic, record, DeadLetter.UNROUTABLE_TOPIC, topic.routeProblem, context);
            return;
        }
        ConfluentAvroDecoder.Decoded decoded;
        try {
            decoded = topic.decoder.decodeWithSchemaId(record.value);
        } catch (WireFormatException e) {
            deadLetter(topic, record, e.reason().name(), e.getMessage(), context);
            return;
        }
        // Any other IOException means the registry or the catalog did not answer: fail and retry, the record is fine.
        WritePlan plan = topic.plan(decoded.schemaId(), decoded.record().getSchema());
        if (plan.incompatibility() != null) {
            deadLetter(
                    topic,
                    record,
                    WireFormatException.Reason.INCOMPATIBLE_SCHEMA.name(),
                    plan.incompatibility(),
                    context);
            return;
        }
        GenericRowData raw;
        try {
            raw = plan.converter().convert(decoded.record());
            plan.lineage().write(record, raw);
        } catch (RuntimeException e) {
            deadLetter(topic, record, DeadLetter.CONVERSION_ERROR, e.toString(), context);
            return;
        }
        GenericRowData flight = null;
        String flightProblem = plan.flightMappingProblem();
        if (plan.flightMapper() != null) {
            try {
                flight = plan.flightMapper().map(raw);
            } catch (RuntimeException e) {
                flightProblem = "The raw row was written, but not the unified flight row: " + e;
            }
        }
        out.collect(dynamicRecord(plan.table(), plan.rowSchema(), raw, plan.spec()));
        topic.recordsWritten.inc();
        if (flight != null) {
            out.collect(dynamicRecord(flightTable, flightSchema, flight, flightSpec));
        } else if (flightProblem != null) {
            context.output(DEAD_LETTERS, DeadLetter.of(record, DeadLetter.FLIGHT_MAPPING_FAILED, flightProblem));
            topic.metrics.deadLettered(DeadLetter.FLIGHT_MAPPING_FAILED);
            topic.flightRowsFailed.inc();
        }
    }

    private DynamicRecord dynamicRecord(TableIdentifier table, Schema schema, GenericRowData row, PartitionSpec spec) {
        // Null distribution mode: the sink's writer runs chained to this operator, rows are never shuffled.
        return distributionMode == null
                ? new DynamicRecord(table, null, schema, row, spec)
                : new DynamicRecord(table, null, schema, row, spec, distributionMode, Integer.MAX_VALUE);
    }

    private static void deadLetter(
            TopicState topic, KafkaRecord record, String reason, String message, Context context) {
        context.output(DEAD_LETTERS, DeadLetter.of(record, reason, message));
        topic.recordsDeadLettered.inc();
        topic.metrics.deadLettered(reason);
    }

    /** One topic's route, decoder, write plans and metrics on the task. */
    private final class TopicState {

        @Nullable
        private final TopicRoute route;

        @Nullable
        private final String routeProblem;

        private final ConfluentAvroDecoder decoder;
        private final Map<Integer, WritePlan> plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, WritePlan> eldest) {
                return size() > MAX_PLANS_PER_TOPIC;
            }
        };
        /** The table schema the cached plans were made against; -1 before the first plan. */
        private int tableSchemaId = -1;

        /** The last record's plan: consecutive records of a topic almost always share their schema id. */
        private int lastSchemaId = -1;

        @Nullable
        private WritePlan lastPlan;

        private final Counter recordsIn;
        private final Counter recordsWritten;
        private final Counter recordsDeadLettered;
        private final Counter flightRowsFailed;
        private final DecodeMetrics metrics;

        TopicState(String topic) {
            TopicRoute routed = null;
            String problem = null;
            try {
                routed = router.route(topic);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            this.route = routed;
            this.routeProblem = problem;
            this.decoder = ConfluentAvroDecoder.forWriterSchemas(topic, registrySettings);
            MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("topic", topic);
            this.recordsIn = metrics.counter("recordsIn");
            this.recordsWritten = metrics.counter("recordsWritten");
            this.recordsDeadLettered = metrics.counter("recordsDeadLettered");
            this.flightRowsFailed = metrics.counter("flightRowsFailed");
            this.metrics = DecodeMetrics.register(metrics);
            decoder.setListener(this.metrics);
        }

        WritePlan plan(int schemaId, org.apache.avro.Schema writer) throws IOException {
            if (schemaId == lastSchemaId && lastPlan != null) {
                return lastPlan;
            }
            WritePlan plan = plans.get(schemaId);
            if (plan == null) {
                Table table = planner.loadTable(route);
                int currentSchemaId = table == null ? -1 : table.schema().schemaId();
                if (currentSchemaId != tableSchemaId) {
                    // The table changed since the other plans were made (another writer schema evolved it): their
                    // row schemas may be narrower than the table now, so make them again when next needed.
                    plans.clear();
                    tableSchemaId = currentSchemaId;
                }
                plan = planner.plan(route, schemaId, writer, table);
                plans.put(schemaId, plan);
            }
            lastSchemaId = schemaId;
            lastPlan = plan;
            return plan;
        }
    }

    /** Collects what the operator needs; {@link #build()} checks it. */
    static final class Builder {

        private TopicRouter router;
        private SchemaRegistrySettings registrySettings;
        private CatalogLoader catalogLoader;
        private Map<String, String> partitionSpecs = Map.of();

        @Nullable
        private TableIdentifier flightTable;

        @Nullable
        private Schema flightSchema;

        @Nullable
        private PartitionSpec flightSpec;

        @Nullable
        private DistributionMode distributionMode;

        private Builder() {}

        Builder router(TopicRouter router) {
            this.router = router;
            return this;
        }

        Builder registry(SchemaRegistrySettings settings) {
            this.registrySettings = settings;
            return this;
        }

        Builder catalogLoader(CatalogLoader loader) {
            this.catalogLoader = loader;
            return this;
        }

        /** Partition spec text by table name, for tables the job creates; absent means unpartitioned. */
        Builder partitionSpecs(Map<String, String> specs) {
            this.partitionSpecs = specs;
            return this;
        }

        /** The unified flight table as prepared; without it, no flight rows are made. */
        Builder flightTable(TableIdentifier table, Schema schema, PartitionSpec spec) {
            this.flightTable = table;
            this.flightSchema = schema;
            this.flightSpec = spec;
            return this;
        }

        /** Null (the default): rows go to the writer chained to this operator; else the sink shuffles them so. */
        Builder distributionMode(@Nullable DistributionMode mode) {
            this.distributionMode = mode;
            return this;
        }

        RecordsToRows build() {
            sanityCheck();
            return new RecordsToRows(this);
        }

        private void sanityCheck() {
            checkNotNull(router, "router");
            checkNotNull(registrySettings, "registrySettings");
            checkNotNull(catalogLoader, "catalogLoader");
            checkNotNull(partitionSpecs, "partitionSpecs");
        }
    }
}
