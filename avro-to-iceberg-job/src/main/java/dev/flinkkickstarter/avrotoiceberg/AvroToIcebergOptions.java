package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.config.Secrets;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.common.kafka.KafkaSources;
import dev.flinkkickstarter.common.kafka.TransactionalIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.flink.configuration.MemorySize;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The job's own flags (the Kafka, registry and catalog settings come from {@link ClientSettings}).
 * Every flag is listed in the README's avro-to-iceberg-job table; unknown flags are rejected.
 */
final class AvroToIcebergOptions {

    static final String TOPICS = "topics";
    static final String TOPIC_PATTERN = "topic-pattern";
    static final String PARTITION_DISCOVERY_INTERVAL = "partition-discovery-interval";
    static final String TABLE_NAME_TEMPLATE = TopicRouter.TABLE_NAME_TEMPLATE;
    static final String TABLE_MAPPING = TopicRouter.TABLE_MAPPING;
    static final String FLIGHT_TABLE = "flight-table";
    static final String FLIGHT_MAPPING = "flight-mapping";
    static final String CATALOG_TYPE = "catalog-type";
    static final String WAREHOUSE = "warehouse";
    static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    static final String PARALLELISM = "parallelism";
    static final String TARGET_FILE_SIZE = "target-file-size";
    static final String WRITE_DISTRIBUTION_MODE = "write-distribution-mode";
    static final String STARTING_OFFSETS = "starting-offsets";
    static final String DLQ_TOPIC_SUFFIX = "dlq-topic-suffix";
    static final String JOB_ID = TransactionalIds.JOB_ID_FLAG;
    static final String DLQ_TRANSACTIONAL_ID_PREFIX = "dlq-transactional-id-prefix";
    static final String PARTITION_SPEC_PREFIX = TablePartitioning.FLAG_PREFIX;
    /** {@code --table-property.<key>=<value>}: an Iceberg table property for every table the job writes. */
    static final String TABLE_PROPERTY_PREFIX = "table-property.";

    static final List<String> DEFAULT_TOPICS = List.of("airline.skyone", "airline.sunset");
    static final String DEFAULT_TABLE_NAMESPACE = "airlines";
    static final String DEFAULT_TABLE_NAME_TEMPLATE = TopicRouter.DEFAULT_TABLE_NAME_TEMPLATE;
    /** New topics matching {@code --topic-pattern}, and new partitions of any input topic, are found this often. */
    static final Duration DEFAULT_PARTITION_DISCOVERY_INTERVAL = Duration.ofSeconds(30);

    static final String DEFAULT_FLIGHT_TABLE = FlightMapping.DEFAULT_TABLE;
    static final List<String> DEFAULT_FLIGHT_MAPPINGS = List.of("airline.skyone=skyone", "airline.sunset=sunset");
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);
    static final String DEFAULT_DLQ_TOPIC_SUFFIX = ".dlq";
    static final String DEFAULT_CONSUMER_GROUP = "avro-to-iceberg";
    /**
     * Tables are partitioned by month of departure unless a flag says otherwise; other tables are not
     * partitioned. Not by day: bookings span months ahead, so each writer would keep a Parquet file
     * open per departure day (~180) per table, exhausting a TaskManager's heap and leaving tiny files.
     */
    static final Map<String, String> DEFAULT_PARTITION_SPECS = Map.of(
            "airlines.skyone",
            "month(flight_departure_time)",
            "airlines.sunset",
            "month(departure_time)",
            DEFAULT_FLIGHT_TABLE,
            "month(" + FlightMapping.DEPARTURE_TIME + ")");

    /**
     * Parquet without dictionary encoding: most columns here are unique per record (booking references,
     * emails, timestamps, offsets), and dictionary encoding took about half of the job's CPU samples.
     * Measured with scripts/benchmark.sh: 34% more rows/s for ~25% larger files.
     */
    static final Map<String, String> DEFAULT_TABLE_PROPERTIES = Map.of("parquet.enable.dictionary", "false");

    private static final Set<String> FLAGS = Set.of(
            TOPICS,
            TOPIC_PATTERN,
            PARTITION_DISCOVERY_INTERVAL,
            TABLE_NAME_TEMPLATE,
            TABLE_MAPPING,
            FLIGHT_TABLE,
            FLIGHT_MAPPING,
            CATALOG_TYPE,
            WAREHOUSE,
            CHECKPOINT_INTERVAL,
            PARALLELISM,
            TARGET_FILE_SIZE,
            WRITE_DISTRIBUTION_MODE,
            STARTING_OFFSETS,
            DLQ_TOPIC_SUFFIX,
            JOB_ID,
            DLQ_TRANSACTIONAL_ID_PREFIX,
            UpsertKeys.UPSERT_TABLES);

    private final List<TopicRoute> routes;

    @Nullable
    private final Pattern topicPattern;

    private final Duration partitionDiscoveryInterval;
    private final TopicRouter router;

    @Nullable
    private final TableIdentifier flightTable;

    private final Map<String, String> catalogOverrides;
    private final Duration checkpointInterval;

    @Nullable
    private final Integer parallelism;

    @Nullable
    private final Long targetFileSizeBytes;

    private final DistributionMode distributionMode;
    private final String startingOffsets;
    private final String deadLetterTopicSuffix;
    /** Only the tables a {@code --partition-spec} flag names; the others get a default. */
    private final Map<String, String> partitionSpecs;

    private final Map<String, String> tableProperties;
    private final TableMaintenanceSettings maintenance;

    @Nullable
    private final String jobId;

    @Nullable
    private final String deadLetterTransactionalIdPrefix;

    private final UpsertKeys upsertKeys;

    private AvroToIcebergOptions(JobArguments args) {
        this.topicPattern = args.getParsed(TOPIC_PATTERN, Pattern::compile, "a Java regular expression")
                .orElse(null);
        checkArgument(
                topicPattern == null || args.get(TOPICS).isEmpty(),
                "Give either --%s or --%s, not both",
                TOPICS,
                TOPIC_PATTERN);
        List<String> topics = topicPattern == null ? args.getList(TOPICS, DEFAULT_TOPICS) : List.of();
        Map<String, String> tableMapping = pairs(args.getList(TABLE_MAPPING, List.of()), TABLE_MAPPING);
        Map<String, String> flightMappings =
                pairs(args.getList(FLIGHT_MAPPING, DEFAULT_FLIGHT_MAPPINGS), FLIGHT_MAPPING);
        String flightTableName =
                args.getOrDefault(FLIGHT_TABLE, DEFAULT_FLIGHT_TABLE).trim();
        this.flightTable = flightTableName.equalsIgnoreCase("none") ? null : TableIdentifier.parse(flightTableName);
        String template = args.getOrDefault(TABLE_NAME_TEMPLATE, DEFAULT_TABLE_NAME_TEMPLATE);
        this.router = new TopicRouter(tableMapping, flightMappings, flightTable, template);

        List<TopicRoute> routeList = new ArrayList<>();
        Set<TableIdentifier> tables = new HashSet<>();
        for (String topic : topics) {
            TopicRoute route = router.route(topic);
            checkArgument(
                    tables.add(route.table()),
                    "Table %s is the target of more than one topic; give each topic its own table with --%s",
                    route.table(),
                    TABLE_MAPPING);
            routeList.add(route);
        }
        checkArgument(
                topicPattern != null || topics.containsAll(tableMapping.keySet()),
                "--%s names topics that --%s does not list: %s",
                TABLE_MAPPING,
                TOPICS,
                tableMapping.keySet());
        this.routes = List.copyOf(routeList);
        this.partitionDiscoveryInterval =
                args.getPositiveDuration(PARTITION_DISCOVERY_INTERVAL, DEFAULT_PARTITION_DISCOVERY_INTERVAL);

        Map<String, String> catalog = new HashMap<>();
        args.get(CATALOG_TYPE).ifPresent(type -> catalog.put(IcebergCatalogs.TYPE, type));
        args.get(WAREHOUSE).ifPresent(warehouse -> catalog.put(IcebergCatalogs.WAREHOUSE, warehouse));
        this.catalogOverrides = Map.copyOf(catalog);

        this.checkpointInterval = args.getPositiveDuration(CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        this.parallelism = args.getPositiveInt(PARALLELISM).orElse(null);
        this.targetFileSizeBytes = args.getParsed(
                        TARGET_FILE_SIZE, size -> MemorySize.parse(size).getBytes(), "a size such as 128mb")
                .orElse(null);
        this.distributionMode = args.getChoice(
                WRITE_DISTRIBUTION_MODE,
                List.of(DistributionMode.values()),
                DistributionMode::modeName,
                DistributionMode.NONE);
        this.startingOffsets = args.getOrDefault(STARTING_OFFSETS, KafkaSources.COMMITTED);
        KafkaSources.startingOffsets(startingOffsets); // validate now, with the flag's name in view
        this.deadLetterTopicSuffix = args.getOrDefault(DLQ_TOPIC_SUFFIX, DEFAULT_DLQ_TOPIC_SUFFIX);
        checkArgument(
                !deadLetterTopicSuffix.isBlank(),
                "--%s must not be empty: the DLQ would be the input topic",
                DLQ_TOPIC_SUFFIX);

        this.jobId = args.get(JOB_ID)
                .map(id -> TransactionalIds.checkJobId(id, JOB_ID))
                .orElse(null);
        this.deadLetterTransactionalIdPrefix = args.get(DLQ_TRANSACTIONAL_ID_PREFIX)
                .map(prefix -> TransactionalIds.checkPrefix(prefix, DLQ_TRANSACTIONAL_ID_PREFIX))
                .orElse(null);

        this.partitionSpecs = Map.copyOf(args.withPrefix(PARTITION_SPEC_PREFIX));

        Map<String, String> properties = new TreeMap<>(DEFAULT_TABLE_PROPERTIES);
        properties.putAll(args.withPrefix(TABLE_PROPERTY_PREFIX));
        this.tableProperties = Collections.unmodifiableMap(properties);
        this.maintenance = TableMaintenanceSettings.from(args, checkpointInterval, targetFileSizeBytes);

        List<TableIdentifier> known = new ArrayList<>(tables);
        if (flightTable != null) {
            known.add(flightTable);
        }
        // Topics found by pattern write tables only known when their first record arrives.
        this.upsertKeys = UpsertKeys.parse(
                args.getList(UpsertKeys.UPSERT_TABLES, List.of()),
                args.withPrefix(UpsertKeys.UPSERT_KEY_PREFIX),
                known,
                topicPattern != null);
        partitionSpecs().forEach(upsertKeys::checkPartitionSpecText);
    }

    /**
     * Parses the job's flags from {@code args}, rejecting any flag that neither this job nor {@link ClientSettings}
     * knows: a misspelt flag must not silently fall back to a default.
     */
    static AvroToIcebergOptions from(JobArguments args) {
        List<String> prefixes = new ArrayList<>(ClientSettings.FLAG_PREFIXES);
        prefixes.add(PARTITION_SPEC_PREFIX);
        prefixes.add(TABLE_PROPERTY_PREFIX);
        prefixes.add(UpsertKeys.UPSERT_KEY_PREFIX);
        Set<String> names = new HashSet<>(FLAGS);
        names.addAll(ClientSettings.FLAGS);
        names.addAll(TableMaintenanceSettings.FLAGS);
        args.checkOnlyKnownFlags(names, prefixes);
        return new AvroToIcebergOptions(args);
    }

    /** The listed input topics' routes; empty with {@code --topic-pattern}. */
    List<TopicRoute> routes() {
        return routes;
    }

    /** The input topics' pattern, if the job reads topics by pattern rather than a list. */
    Optional<Pattern> topicPattern() {
        return Optional.ofNullable(topicPattern);
    }

    /** What the job calls its input in logs and its name: the topic list or the pattern. */
    String inputDescription() {
        return topicPattern != null
                ? "/" + topicPattern.pattern() + "/"
                : routes.stream().map(TopicRoute::topic).toList().toString();
    }

    Duration partitionDiscoveryInterval() {
        return partitionDiscoveryInterval;
    }

    /** Where any input topic's rows go, including topics found later by pattern. */
    TopicRouter router() {
        return router;
    }

    Optional<TableIdentifier> flightTable() {
        return Optional.ofNullable(flightTable);
    }

    /** The configured catalog properties with this job's {@code --catalog-type} and {@code --warehouse} on top. */
    Map<String, String> catalogProperties(ClientSettings settings) {
        Map<String, String> properties = new HashMap<>(settings.catalogProperties());
        properties.putAll(catalogOverrides);
        return properties;
    }

    Duration checkpointInterval() {
        return checkpointInterval;
    }

    Optional<Integer> parallelism() {
        return Optional.ofNullable(parallelism);
    }

    Optional<Long> targetFileSizeBytes() {
        return Optional.ofNullable(targetFileSizeBytes);
    }

    DistributionMode distributionMode() {
        return distributionMode;
    }

    String startingOffsets() {
        return startingOffsets;
    }

    String deadLetterTopicSuffix() {
        return deadLetterTopicSuffix;
    }

    /**
     * Partition spec text by table name, defaults included (see {@link #partitionSpec}); a table not in it is
     * unpartitioned.
     */
    Map<String, String> partitionSpecs() {
        Map<String, String> specs = new HashMap<>(partitionSpecs);
        DEFAULT_PARTITION_SPECS
                .keySet()
                .forEach(name -> specs.putIfAbsent(name, partitionSpec(TableIdentifier.parse(name))));
        return Map.copyOf(specs);
    }

    /**
     * The dead-letter sink's transactional id prefix: {@code --dlq-transactional-id-prefix}, else {@code
     * <job id>-dlq} with the job id from {@code --job-id}, else from the consumer group, which is already
     * unique per deployment (two deployments sharing a group would share their offsets).
     */
    String deadLetterTransactionalIdPrefix(String consumerGroup) {
        if (deadLetterTransactionalIdPrefix != null) {
            return deadLetterTransactionalIdPrefix;
        }
        return TransactionalIds.prefix(jobId != null ? jobId : TransactionalIds.jobIdFrom(consumerGroup), "dlq");
    }

    /**
     * The partition spec text for {@code table}; empty or {@code none} means unpartitioned. Without a
     * {@code --partition-spec} flag: none for an upsert table (see {@link UpsertKeys}), else the default.
     */
    String partitionSpec(TableIdentifier table) {
        String name = table.toString();
        return partitionSpecs.getOrDefault(
                name, upsertKeys.defaultPartitionSpec(table, DEFAULT_PARTITION_SPECS.getOrDefault(name, "")));
    }

    /** Which tables upsert, by which key; the others append. */
    UpsertKeys upsertKeys() {
        return upsertKeys;
    }

    /** Iceberg table properties for every table the job writes: set at creation, and on start where they differ. */
    Map<String, String> tableProperties() {
        return tableProperties;
    }

    /** Compaction, snapshot expiry and orphan-file removal for the tables the job writes. */
    TableMaintenanceSettings maintenance() {
        return maintenance;
    }

    private static Map<String, String> pairs(List<String> items, String flag) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String item : items) {
            int equals = item.indexOf('=');
            checkArgument(
                    equals > 0 && equals < item.length() - 1, "--%s takes topic=value pairs but got '%s'", flag, item);
            pairs.put(
                    item.substring(0, equals).trim(), item.substring(equals + 1).trim());
        }
        return pairs;
    }

    @Override
    public String toString() {
        return "AvroToIcebergOptions{routes=" + routes + ", topicPattern=" + topicPattern
                + ", partitionDiscoveryInterval=" + partitionDiscoveryInterval + ", router=" + router + ", flightTable="
                + flightTable + ", checkpointInterval="
                + checkpointInterval + ", parallelism=" + parallelism + ", targetFileSizeBytes=" + targetFileSizeBytes
                + ", distributionMode=" + distributionMode + ", startingOffsets=" + startingOffsets
                + ", deadLetterTopicSuffix=" + deadLetterTopicSuffix + ", partitionSpecs=" + partitionSpecs
                + ", tableProperties=" + Secrets.redacted(tableProperties) + ", jobId=" + jobId
                + ", deadLetterTransactionalIdPrefix=" + deadLetterTransactionalIdPrefix + ", maintenance="
                + maintenance + ", " + upsertKeys
                + "}";
    }
}
