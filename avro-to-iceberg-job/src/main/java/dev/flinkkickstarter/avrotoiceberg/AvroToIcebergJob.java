package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.avrotoiceberg.AvroToIcebergOptions.TopicRoute;
import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.avro.SchemaRegistryException;
import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.flink.BoundedRestarts;
import dev.flinkkickstarter.common.iceberg.AvroSchemas;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.common.iceberg.IcebergTables;
import dev.flinkkickstarter.common.iceberg.PartitionSpecs;
import dev.flinkkickstarter.common.kafka.KafkaRecord;
import dev.flinkkickstarter.common.kafka.KafkaSinks;
import dev.flinkkickstarter.common.kafka.KafkaSources;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkWriteOptions;
import org.apache.iceberg.flink.sink.dynamic.DynamicIcebergSink;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;
import org.apache.iceberg.flink.sink.dynamic.TableCreator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves Confluent-wire-format Avro records from Kafka into Apache Iceberg tables, exactly once, following the
 * Schema Registry while it runs.
 *
 * <p>Per topic (listed, or matching a pattern, including topics created later): Kafka records (bytes) → each
 * read in its own writer schema (from its schema id) → a raw table whose columns follow the registered versions,
 * plus Kafka lineage columns; a version that adds fields adds optional columns before its rows are committed,
 * and records of a version whose fields would change a column's meaning, or that cannot be decoded or
 * converted, go to a dead-letter topic. Topics with a flight mapping also feed the unified {@code
 * airlines.flight} table. Iceberg's dynamic sink creates and evolves the tables and commits on checkpoints; the
 * Kafka offsets and the dead letters' transactions live in the same checkpoints. One source reads all topics
 * and one operator decodes them, so the writers run in the same chain: rows are never serialized between
 * threads.
 */
public final class AvroToIcebergJob {

    private static final Logger LOG = LoggerFactory.getLogger(AvroToIcebergJob.class);

    private AvroToIcebergJob() {}

    public static void main(String[] args) throws Exception {
        JobArguments arguments = JobArguments.parse(args);
        AvroToIcebergOptions options = AvroToIcebergOptions.from(arguments);
        ClientSettings settings = ClientSettings.load(arguments);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BoundedRestarts.applyUnlessConfigured(env);
        build(env, options, settings);
        env.execute("avro-to-iceberg " + options.inputDescription());
    }

    /** Prepares the flight table and adds the whole pipeline to {@code env}. */
    static void build(StreamExecutionEnvironment env, AvroToIcebergOptions options, ClientSettings settings)
            throws IOException {
        LOG.info("Starting with {}", options);
        env.enableCheckpointing(options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        options.parallelism().ifPresent(env::setParallelism);
        // Every operator here emits new objects and none keeps or changes its input, so chained operators can
        // hand records over as they are instead of deep-copying each row (12% of CPU samples without it).
        env.getConfig().enableObjectReuse();

        Map<String, String> catalogProperties = options.catalogProperties(settings);
        LOG.info("Iceberg catalog {}", IcebergCatalogs.describe(catalogProperties));
        CatalogLoader catalogLoader = IcebergCatalogs.loader(catalogProperties);
        RecordsToRows.Builder toRows = RecordsToRows.builder()
                .router(options.router())
                .registry(settings.schemaRegistry())
                .catalogLoader(catalogLoader)
                .partitionSpecs(options.partitionSpecs())
                .upsertKeys(options.upsertKeys())
                .distributionMode(
                        options.distributionMode() == DistributionMode.NONE ? null : options.distributionMode());
        List<TableIdentifier> tables = prepareTables(catalogLoader, options, settings, toRows);

        DataStream<KafkaRecord> records = env.fromSource(
                        kafkaSource(options, settings),
                        WatermarkStrategy.noWatermarks(),
                        "Kafka " + options.inputDescription())
                .uid("kafka-source");
        SingleOutputStreamOperator<DynamicRecord> decoded = records.process(
                        toRows.build(), TypeInformation.of(DynamicRecord.class))
                .name("Decode")
                .uid("decode");
        writeToIceberg(decoded, catalogLoader, options);
        decoded.getSideOutput(RecordsToRows.DEAD_LETTERS)
                .sinkTo(deadLetterSink(settings, options))
                .name("Dead letters")
                .uid("dead-letters");
        TableMaintenancePipelines.addTo(env, catalogLoader, tables, options.maintenance());
    }

    /**
     * Creates or evolves the unified flight table (its schema is this job's); creates each listed topic's raw table
     * that does not exist yet from its subject's latest registered schema, so that table maintenance can watch it
     * from the start; sets the table properties on the raw tables that existed; refuses an upsert table that cannot
     * hold one row per key ({@link UpsertKeys#check}). Returns the tables that exist now.
     * A listed topic without a registered schema, and every topic found by pattern, gets its table from the sink
     * with the first row ({@link PropertiesTableCreator}).
     */
    private static List<TableIdentifier> prepareTables(
            CatalogLoader catalogLoader,
            AvroToIcebergOptions options,
            ClientSettings settings,
            RecordsToRows.Builder toRows)
            throws IOException {
        List<TableIdentifier> prepared = new ArrayList<>();
        Catalog catalog = catalogLoader.loadCatalog();
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(settings.schemaRegistry())) {
            if (options.flightTable().isPresent()) {
                TableIdentifier flightTable = options.flightTable().get();
                Table table = IcebergTables.createOrEvolve(
                        catalog,
                        flightTable,
                        KafkaLineage.appendTo(FlightMapping.FLIGHT_SCHEMA),
                        partitioning(catalog, flightTable, options),
                        options.tableProperties());
                options.upsertKeys().check(table, flightTable);
                toRows.flightTable(flightTable, table.schema(), table.spec());
                prepared.add(flightTable);
            }
            for (TopicRoute route : options.routes()) {
                Function<Schema, PartitionSpec> partitioning = partitioning(catalog, route.table(), options);
                if (catalog.tableExists(route.table())) {
                    Table table = catalog.loadTable(route.table());
                    options.upsertKeys().check(table, route.table());
                    IcebergTables.updateProperties(table, options.tableProperties());
                    prepared.add(route.table());
                } else if (createRawTable(catalog, registry, route, partitioning, options)) {
                    options.upsertKeys().check(catalog.loadTable(route.table()), route.table());
                    prepared.add(route.table());
                }
            }
        } finally {
            // The REST catalog holds an HTTP client; the job's operators open their own catalogs on the cluster.
            if (catalog instanceof Closeable closeable) {
                closeable.close();
            }
        }
        return prepared;
    }

    /**
     * Creates {@code route}'s raw table from its subject's latest schema; false if the subject has none yet or the
     * schema has no table form (its records are then dead-lettered with the reason, as for any writer schema).
     */
    private static boolean createRawTable(
            Catalog catalog,
            SchemaRegistryClient registry,
            TopicRoute route,
            Function<Schema, PartitionSpec> partitioning,
            AvroToIcebergOptions options)
            throws IOException {
        String subject = ConfluentSchemaCoder.valueSubject(route.topic());
        Schema schema;
        try {
            schema = KafkaLineage.appendTo(
                    AvroSchemas.toIceberg(registry.latest(subject).schema()));
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() != 404) {
                throw e;
            }
            LOG.warn("Subject {} has no schema yet: table {} is created with its first row", subject, route.table());
            return false;
        } catch (IllegalArgumentException e) {
            LOG.warn("The latest schema of subject {} has no table form: {}", subject, e.getMessage());
            return false;
        }
        try {
            IcebergTables.create(catalog, route.table(), schema, partitioning.apply(schema), options.tableProperties());
        } catch (AlreadyExistsException createdConcurrently) {
            LOG.info("Iceberg table {} was created concurrently", route.table());
        }
        return true;
    }

    /**
     * {@code table}'s partitioning from {@code --partition-spec.<table>}, checked against the table's spec if it
     * exists: the job never re-partitions a table, so a different spec stops it at start, naming both.
     */
    private static Function<Schema, PartitionSpec> partitioning(
            Catalog catalog, TableIdentifier table, AvroToIcebergOptions options) {
        String partitionSpec = options.partitionSpec(table);
        Function<Schema, PartitionSpec> partitioning = tableSchema -> PartitionSpecs.parse(partitionSpec, tableSchema);
        IcebergTables.checkPartitioning(
                catalog, table, partitioning, "--" + AvroToIcebergOptions.PARTITION_SPEC_PREFIX + table);
        return partitioning;
    }

    private static Properties consumerProperties(ClientSettings settings) {
        Properties consumer = settings.consumerProperties();
        consumer.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, AvroToIcebergOptions.DEFAULT_CONSUMER_GROUP);
        return consumer;
    }

    private static KafkaSource<KafkaRecord> kafkaSource(AvroToIcebergOptions options, ClientSettings settings) {
        Properties consumer = consumerProperties(settings);
        consumer.setProperty(
                KafkaSourceOptions.PARTITION_DISCOVERY_INTERVAL_MS.key(),
                String.valueOf(options.partitionDiscoveryInterval().toMillis()));
        return options.topicPattern()
                .map(pattern -> KafkaSources.rawRecords(consumer, pattern, options.startingOffsets()))
                .orElseGet(() -> KafkaSources.rawRecords(
                        consumer,
                        options.routes().stream().map(TopicRoute::topic).toList(),
                        options.startingOffsets()));
    }

    /**
     * Iceberg's dynamic sink: each record names its table and carries its row schema; the sink creates absent
     * tables, adds columns before committing rows that need them (never drops one), writes data files
     * continuously and commits every table once per checkpoint.
     */
    private static void writeToIceberg(
            DataStream<DynamicRecord> records, CatalogLoader catalogLoader, AvroToIcebergOptions options) {
        DynamicIcebergSink.Builder<DynamicRecord> sink = DynamicIcebergSink.forInput(records)
                .generator(new AsIs())
                .catalogLoader(catalogLoader)
                .tableCreator(new PropertiesTableCreator(options.tableProperties()))
                // Schema changes are committed by the operator that meets them, before its rows are written, also
                // when rows are shuffled to the writers.
                .immediateTableUpdate(true)
                .dropUnusedColumns(false)
                .uidPrefix("iceberg");
        options.parallelism().ifPresent(sink::writeParallelism);
        options.targetFileSizeBytes()
                .ifPresent(bytes -> sink.set(FlinkWriteOptions.TARGET_FILE_SIZE_BYTES.key(), String.valueOf(bytes)));
        sink.append();
    }

    /** The decode operator already makes {@link DynamicRecord}s: the sink takes them as they are. */
    private static final class AsIs implements DynamicRecordGenerator<DynamicRecord> {

        private static final long serialVersionUID = 1L;

        @Override
        public void generate(DynamicRecord record, Collector<DynamicRecord> out) {
            out.collect(record);
        }
    }

    /** Creates the tables the sink meets first with the job's table properties, in format v2 (see IcebergTables). */
    private static final class PropertiesTableCreator implements TableCreator {

        private static final long serialVersionUID = 1L;

        private final Map<String, String> tableProperties;

        PropertiesTableCreator(Map<String, String> tableProperties) {
            this.tableProperties = new java.util.TreeMap<>(tableProperties);
        }

        @Override
        public Table createTable(Catalog catalog, TableIdentifier identifier, Schema schema, PartitionSpec spec) {
            return IcebergTables.create(catalog, identifier, schema, spec, tableProperties);
        }
    }
    /** Each dead letter goes to its source topic's dead-letter topic. */
    private static KafkaSink<DeadLetter> deadLetterSink(ClientSettings settings, AvroToIcebergOptions options) {
        String consumerGroup = consumerProperties(settings).getProperty(ConsumerConfig.GROUP_ID_CONFIG);
        return KafkaSinks.<DeadLetter>builder()
                .setProducerProperties(settings.producerProperties())
                .setRecordSerializer(
                        new DeadLetterSerializer(options.deadLetterTopicSuffix(), settings.producerProperties()))
                // Dead letters are committed with the same checkpoints as the table rows: none lost, none doubled.
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.deadLetterTransactionalIdPrefix(consumerGroup))
                .setCheckpointInterval(options.checkpointInterval())
                .build();
    }
}
