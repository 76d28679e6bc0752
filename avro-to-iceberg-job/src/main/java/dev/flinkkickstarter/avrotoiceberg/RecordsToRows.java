package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.avro.ConfluentAvroDecoder;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.DecodeMetrics;
import dev.flinkkickstarter.common.avro.RegisteredSchema;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.avro.SchemaRegistryException;
import dev.flinkkickstarter.common.avro.WireFormatException;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.types.RowKind;
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
 * <p>For an upsert table ({@link UpsertKeys}) every record is marked upsert with its table's key as equality
 * fields: the sink's writer deletes the key's earlier row and inserts the new one. A cancelled record becomes a
 * {@link RowKind#DELETE} row, and so does a Kafka tombstone with a key where the key says which row it deletes
 * ({@link KeyedDeletes}). Upsert records are shuffled to their writer by key (a non-null distribution mode lets
 * the sink key them by the equality fields), so one writer sees every version of a key in Kafka offset order,
 * whatever partitioning the producers used.
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
    private final UpsertKeys upsertKeys;

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

    /** The flight table's upsert key; null if it appends. */
    @Nullable
    private transient List<String> flightKey;

    private transient Map<String, TopicState> topics;
    private transient Catalog catalog;
    private transient SchemaRegistryClient registry;
    private transient WritePlanner planner;

    private RecordsToRows(Builder builder) {
        this.router = builder.router;
        this.registrySettings = builder.registrySettings;
        this.catalogLoader = builder.catalogLoader;
        this.partitionSpecs = new HashMap<>(builder.partitionSpecs);
        this.upsertKeys = builder.upsertKeys;
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
        flightKey = flightTable == null ? null : upsertKeys.key(flightTable).orElse(null);
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
        if (record.value == null && record.key != null && topic.rawKey != null) {
            if (writeTombstone(topic, record, out)) {
                return;
            }
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
        KeyedDeletes deletes = topic.deletes(plan);
        try {
            raw = plan.converter().convert(decoded.record());
            plan.lineage().write(record, raw);
            if (topic.rawKey != null && deletes.isCancelled(raw)) {
                raw.setRowKind(RowKind.DELETE);
            }
        } catch (RuntimeException e) {
            deadLetter(topic, record, DeadLetter.CONVERSION_ERROR, e.toString(), context);
            return;
        }
        GenericRowData flight = null;
        String flightProblem = plan.flightMappingProblem();
        if (plan.flightMapper() != null) {
            try {
                flight = plan.flightMapper().map(raw);
                if (flightKey != null && deletes.isCancelled(raw)) {
                    flight.setRowKind(RowKind.DELETE);
                }
            } catch (RuntimeException e) {
                flightProblem = "The raw row was written, but not the unified flight row: " + e;
            }
        }
        out.collect(dynamicRecord(plan.table(), plan.rowSchema(), raw, plan.spec(), topic.rawKey));
        topic.recordsWritten.inc();
        if (flight != null) {
            out.collect(dynamicRecord(flightTable, flightSchema, flight, flightSpec, flightKey));
        } else if (flightProblem != null) {
            context.output(DEAD_LETTERS, DeadLetter.of(record, DeadLetter.FLIGHT_MAPPING_FAILED, flightProblem));
            topic.metrics.deadLettered(DeadLetter.FLIGHT_MAPPING_FAILED);
            topic.flightRowsFailed.inc();
        }
    }

    /**
     * A tombstone with a key deletes its key's row from the raw table, and from the flight table where the key
     * says which, in rows of the topic's latest plan's schema (a table that does not exist holds nothing to
     * delete). False if the tombstone deletes nothing here (its key is not the table's one string key column):
     * it is then decoded like any record, and dead-lettered.
     */
    private boolean writeTombstone(TopicState topic, KafkaRecord record, Collector<DynamicRecord> out)
            throws IOException {
        WritePlan plan = topic.latestPlan();
        if (plan == null) {
            return true; // the table does not exist yet: nothing to delete
        }
        KeyedDeletes deletes = topic.deletes(plan);
        if (!deletes.takesTombstones()) {
            return false;
        }
        GenericRowData delete = deletes.tombstone(record);
        out.collect(dynamicRecord(plan.table(), plan.rowSchema(), delete, plan.spec(), topic.rawKey));
        if (plan.flightMapper() != null && tombstoneDeletesFlightRow(topic.route, plan, topic.rawKey)) {
            GenericRowData flight = plan.flightMapper().map(delete);
            flight.setRowKind(RowKind.DELETE);
            out.collect(dynamicRecord(flightTable, flightSchema, flight, flightSpec, flightKey));
        }
        topic.recordsWritten.inc();
        return true;
    }

    /** Whether a tombstone's key fills the flight table's whole key: the airline, and columns the Kafka key fills. */
    private boolean tombstoneDeletesFlightRow(TopicRoute route, WritePlan plan, List<String> rawKey) {
        String keyColumn = KeyedDeletes.tombstoneKeyColumn(plan.rowSchema(), rawKey);
        return flightKey != null
                && keyColumn != null
                && flightKey.stream()
                        .allMatch(column -> column.equals(FlightMapping.AIRLINE)
                                || route.flightMapping().sourceColumn(column).equals(keyColumn));
    }

    private DynamicRecord dynamicRecord(
            TableIdentifier table,
            Schema schema,
            GenericRowData row,
            PartitionSpec spec,
            @Nullable List<String> upsertKey) {
        if (upsertKey == null) {
            // Null distribution mode: the sink's writer runs chained to this operator, rows are never shuffled.
            return distributionMode == null
                    ? new DynamicRecord(table, null, schema, row, spec)
                    : new DynamicRecord(table, null, schema, row, spec, distributionMode, Integer.MAX_VALUE);
        }
        // Any non-null mode with equality fields makes the sink key the rows by those fields (HashKeyGenerator):
        // every version of a key goes to one writer, in order.
        DynamicRecord upsert = new DynamicRecord(
                table,
                null,
                schema,
                row,
                spec,
                distributionMode == null ? DistributionMode.NONE : distributionMode,
                Integer.MAX_VALUE);
        upsert.setUpsertMode(true);
        upsert.setEqualityFields(Set.copyOf(upsertKey));
        return upsert;
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

        /** The raw table's upsert key; null if it appends. */
        @Nullable
        private final List<String> rawKey;

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

        /** How the last plan's rows delete: made again when the plan changes, which is rare. */
        @Nullable
        private WritePlan deletesPlan;

        @Nullable
        private KeyedDeletes deletes;

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
            this.rawKey = routed == null ? null : upsertKeys.key(routed.table()).orElse(null);
            this.decoder = ConfluentAvroDecoder.forWriterSchemas(topic, registrySettings);
            MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("topic", topic);
            this.recordsIn = metrics.counter("recordsIn");
            this.recordsWritten = metrics.counter("recordsWritten");
            this.recordsDeadLettered = metrics.counter("recordsDeadLettered");
            this.flightRowsFailed = metrics.counter("flightRowsFailed");
            this.metrics = DecodeMetrics.register(metrics);
            decoder.setListener(this.metrics);
        }

        KeyedDeletes deletes(WritePlan plan) {
            if (plan != deletesPlan) {
                deletes = new KeyedDeletes(
                        plan.rowSchema(),
                        rawKey == null ? null : KeyedDeletes.tombstoneKeyColumn(plan.rowSchema(), rawKey));
                deletesPlan = plan;
            }
            return deletes;
        }

        /**
         * The plan of the last record written, else of the table's latest schema: null if the table does not
         * exist.
         */
        @Nullable
        WritePlan latestPlan() throws IOException {
            if (lastPlan != null && lastPlan.incompatibility() == null) {
                return lastPlan;
            }
            if (planner.loadTable(route) == null) {
                return null;
            }
            RegisteredSchema latest;
            try {
                latest = registry.latest(ConfluentSchemaCoder.valueSubject(route.topic()));
            } catch (SchemaRegistryException e) {
                if (e.httpStatus() != 404) {
                    throw e;
                }
                return null; // no schema, so no row was ever written
            }
            WritePlan plan = plan(latest.id(), latest.schema());
            return plan.incompatibility() == null ? plan : null;
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
        private UpsertKeys upsertKeys = UpsertKeys.none();

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

        /** Which tables upsert, by which key; the default: none, every table appends. */
        Builder upsertKeys(UpsertKeys keys) {
            this.upsertKeys = keys;
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
            checkNotNull(upsertKeys, "upsertKeys");
        }
    }
}
