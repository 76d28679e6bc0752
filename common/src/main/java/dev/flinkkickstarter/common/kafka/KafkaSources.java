package dev.flinkkickstarter.common.kafka;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka sources shared by the jobs. */
public final class KafkaSources {

    /** Resume from the consumer group's committed offsets; partitions it never read start at the earliest. */
    public static final String COMMITTED = "committed";

    public static final String EARLIEST = "earliest";
    public static final String LATEST = "latest";
    /** {@code timestamp:<epoch millis>}: the first record at or after that time. */
    public static final String TIMESTAMP_PREFIX = "timestamp:";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSources.class);

    private KafkaSources() {}

    /**
     * A source of undecoded records ({@link KafkaRecord}: bytes plus origin) from {@code topics},
     * reading only committed transactions and committing its offsets to the consumer group on every
     * completed checkpoint.
     *
     * <p>The offsets Flink restores from a checkpoint or savepoint are what makes the job exactly
     * once; the group's committed offsets are only where a job started without one resumes, and
     * they lag the checkpoint, so such a start may re-read the records of the last checkpoint.
     *
     * @param consumerProperties Kafka consumer settings; {@code group.id} is required
     * @param startingOffsets one of {@link #COMMITTED}, {@link #EARLIEST}, {@link #LATEST}, or {@code
     *     timestamp:<epoch millis>}
     */
    public static KafkaSource<KafkaRecord> rawRecords(
            Properties consumerProperties, List<String> topics, String startingOffsets) {
        checkNotNull(topics, "topics");
        checkArgument(!topics.isEmpty(), "At least one topic is required");
        return rawRecords(consumerProperties, startingOffsets, builder -> builder.setTopics(topics));
    }

    /**
     * Like {@link #rawRecords(Properties, List, String)}, for every topic whose name matches {@code topicPattern},
     * including topics created later: the source looks for them every {@code partition.discovery.interval.ms}
     * (a consumer property).
     */
    public static KafkaSource<KafkaRecord> rawRecords(
            Properties consumerProperties, Pattern topicPattern, String startingOffsets) {
        checkNotNull(topicPattern, "topicPattern");
        return rawRecords(consumerProperties, startingOffsets, builder -> builder.setTopicPattern(topicPattern));
    }

    private static KafkaSource<KafkaRecord> rawRecords(
            Properties consumerProperties, String startingOffsets, Consumer<KafkaSourceBuilder<KafkaRecord>> topics) {
        checkNotNull(consumerProperties, "consumerProperties");
        checkArgument(
                consumerProperties.getProperty(ConsumerConfig.GROUP_ID_CONFIG) != null,
                "The Kafka consumer needs a '%s': its committed offsets are where a new job resumes",
                ConsumerConfig.GROUP_ID_CONFIG);
        Properties properties = sourceProperties(consumerProperties);
        KafkaSourceBuilder<KafkaRecord> builder = KafkaSource.<KafkaRecord>builder()
                .setProperties(properties)
                .setStartingOffsets(startingOffsets(startingOffsets))
                .setDeserializer(new RawRecordDeserializer());
        topics.accept(builder);
        return builder.build();
    }

    /**
     * The consumer settings the source runs with: {@code read_committed} unless set otherwise, offsets
     * committed on checkpoints and never automatically.
     */
    static Properties sourceProperties(Properties consumerProperties) {
        Properties properties = new Properties();
        properties.putAll(consumerProperties);
        // Records of aborted or open transactions must never reach a table.
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.setProperty(KafkaSourceOptions.COMMIT_OFFSETS_ON_CHECKPOINT.key(), "true");
        if (Boolean.parseBoolean(properties
                .getProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .trim())) {
            // Auto-commit would commit offsets of records not yet in a completed checkpoint: a job started
            // without a checkpoint would then skip them. Offsets are committed on checkpoints instead.
            LOG.warn(
                    "Consumer property {}=true is ignored: offsets are committed on completed checkpoints",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        }
        properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return properties;
    }

    /** The initializer for a starting-offsets setting (see {@link #rawRecords}). */
    public static OffsetsInitializer startingOffsets(String setting) {
        checkNotNull(setting, "setting");
        String value = setting.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith(TIMESTAMP_PREFIX)) {
            String millis = value.substring(TIMESTAMP_PREFIX.length());
            try {
                return OffsetsInitializer.timestamp(Long.parseLong(millis));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Starting offsets '" + setting + "': expected timestamp:<epoch milliseconds>", e);
            }
        }
        return switch (value) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            default ->
                throw new IllegalArgumentException("Unknown starting offsets '" + setting + "': use " + COMMITTED + ", "
                        + EARLIEST + ", " + LATEST + " or " + TIMESTAMP_PREFIX + "<epoch millis>");
        };
    }

    private static final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<KafkaRecord> {

        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRecord> out) {
            out.collect(KafkaRecord.of(record));
        }

        @Override
        public TypeInformation<KafkaRecord> getProducedType() {
            return TypeInformation.of(KafkaRecord.class);
        }
    }
}
