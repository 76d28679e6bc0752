package dev.flinkkickstarter.datagen;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.kafka.TransactionalIds;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The job's own flags (the Kafka and Schema Registry ones belong to {@link ClientSettings}), parsed
 * and checked once in {@code main}. Every flag is listed in the README's datagen-job table; unknown flags are
 * rejected.
 */
final class DataGeneratorOptions {

    static final String AIRLINES = "airlines";
    static final String RECORDS_PER_SECOND = "records-per-second";
    static final String MAX_RECORDS = "max-records";
    static final String SEED = "seed";
    static final String DEPARTURES_FROM = "departures-from";
    static final String DELIVERY_GUARANTEE = "delivery-guarantee";
    static final String TRANSACTIONAL_ID_PREFIX = "transactional-id-prefix";
    static final String TRANSACTION_TIMEOUT = "transaction-timeout";
    static final String PARALLELISM = "parallelism";
    static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    static final String JOB_ID = TransactionalIds.JOB_ID_FLAG;
    static final String UPDATE_RATIO = "update-ratio";
    static final String CANCEL_RATIO = "cancel-ratio";

    static final double DEFAULT_RECORDS_PER_SECOND = 10;
    static final String DEFAULT_JOB_ID = "datagen";
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private static final String UNLIMITED = "unlimited";
    private static final String UNBOUNDED = "unbounded";

    private final List<Airline<?>> airlines;
    private final Map<Airline<?>, String> topics;

    @Nullable
    private final Double recordsPerSecond;

    @Nullable
    private final Long maxRecords;

    private final long seed;
    private final boolean seedGiven;
    private final Instant departuresFrom;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String jobId;

    @Nullable
    private final String transactionalIdPrefix;

    @Nullable
    private final Duration transactionTimeout;

    @Nullable
    private final Integer parallelism;

    private final Duration checkpointInterval;
    private final BookingChanges changes;

    private DataGeneratorOptions(JobArguments args) {
        this.airlines = parseAirlines(args);
        this.topics = Airline.all().stream()
                .collect(Collectors.toUnmodifiableMap(
                        airline -> airline, airline -> args.getOrDefault(topicFlag(airline), airline.defaultTopic())));
        this.recordsPerSecond = parseRecordsPerSecond(args);
        this.maxRecords = parseMaxRecords(args);
        this.seedGiven = args.get(SEED).isPresent();
        // Without --seed every run differs; the seed is logged so a run can still be repeated.
        this.seed = args.getLong(SEED, ThreadLocalRandom.current().nextLong());
        this.departuresFrom = parseDeparturesFrom(args);
        this.deliveryGuarantee = args.getChoice(
                DELIVERY_GUARANTEE,
                List.of(DeliveryGuarantee.EXACTLY_ONCE, DeliveryGuarantee.AT_LEAST_ONCE),
                DataGeneratorOptions::flagValue,
                DeliveryGuarantee.EXACTLY_ONCE);
        this.jobId = TransactionalIds.checkJobId(args.getOrDefault(JOB_ID, DEFAULT_JOB_ID), JOB_ID);
        this.transactionalIdPrefix = args.get(TRANSACTIONAL_ID_PREFIX)
                .map(prefix -> TransactionalIds.checkPrefix(prefix, TRANSACTIONAL_ID_PREFIX))
                .orElse(null);
        this.transactionTimeout = args.getDuration(TRANSACTION_TIMEOUT).orElse(null);
        this.parallelism = args.getPositiveInt(PARALLELISM).orElse(null);
        this.checkpointInterval = args.getPositiveDuration(CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        this.changes = parseChanges(args);
        sanityCheck();
    }

    /**
     * Parses the job's flags from {@code args}, rejecting any flag that neither this job nor
     * {@link ClientSettings} knows: a misspelt flag must not silently fall back to a default.
     */
    static DataGeneratorOptions from(JobArguments args) {
        Set<String> known = new HashSet<>(ClientSettings.FLAGS);
        known.addAll(List.of(
                AIRLINES,
                RECORDS_PER_SECOND,
                MAX_RECORDS,
                SEED,
                DEPARTURES_FROM,
                DELIVERY_GUARANTEE,
                TRANSACTIONAL_ID_PREFIX,
                TRANSACTION_TIMEOUT,
                PARALLELISM,
                CHECKPOINT_INTERVAL,
                JOB_ID,
                UPDATE_RATIO,
                CANCEL_RATIO));
        Airline.all().forEach(airline -> known.add(topicFlag(airline)));
        args.checkOnlyKnownFlags(known, ClientSettings.FLAG_PREFIXES);
        return new DataGeneratorOptions(args);
    }

    /** {@code --skyone-topic}, {@code --sunset-topic}. */
    static String topicFlag(Airline<?> airline) {
        return airline.name() + "-topic";
    }

    /** The airlines to generate, in the order given. */
    List<Airline<?>> airlines() {
        return airlines;
    }

    String topic(Airline<?> airline) {
        return topics.get(airline);
    }

    /** Records per second per airline; empty for as fast as possible. */
    Optional<Double> recordsPerSecond() {
        return Optional.ofNullable(recordsPerSecond);
    }

    /** Records per airline after which the job finishes; empty to run until cancelled. */
    Optional<Long> maxRecords() {
        return Optional.ofNullable(maxRecords);
    }

    long seed() {
        return seed;
    }

    /** Whether {@link #seed()} came from {@code --seed} rather than chance. */
    boolean seedGiven() {
        return seedGiven;
    }

    /** Start of the window departures fall into. */
    Instant departuresFrom() {
        return departuresFrom;
    }

    DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    /**
     * Unique per sink and deployment, so no two sinks' transactions fence each other: {@code
     * <--transactional-id-prefix>-<airline>} if that flag is given, else {@code <--job-id>-<topic>}, so
     * that deployments writing to other topics never collide even with the default job id.
     */
    String transactionalIdPrefix(Airline<?> airline) {
        return transactionalIdPrefix != null
                ? TransactionalIds.prefix(transactionalIdPrefix, airline.name())
                : TransactionalIds.prefix(jobId, topic(airline));
    }

    /** Empty to keep the producer properties' value or the sink's default. */
    Optional<Duration> transactionTimeout() {
        return Optional.ofNullable(transactionTimeout);
    }

    /** Empty for the cluster's default parallelism. */
    Optional<Integer> parallelism() {
        return Optional.ofNullable(parallelism);
    }

    Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** How many records update or cancel an earlier booking instead of making a new one. */
    BookingChanges changes() {
        return changes;
    }

    private void sanityCheck() {
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            airlines.forEach(this::transactionalIdPrefix); // fails now if a derived prefix is too long
            // A transaction stays open from one checkpoint to the next; the broker aborts it after the timeout.
            checkArgument(
                    transactionTimeout == null || transactionTimeout.compareTo(checkpointInterval) > 0,
                    "--%s (%s) must be longer than --%s (%s): transactions are committed on checkpoints",
                    TRANSACTION_TIMEOUT,
                    transactionTimeout,
                    CHECKPOINT_INTERVAL,
                    checkpointInterval);
        }
        Set<String> topicNames = new HashSet<>();
        for (Airline<?> airline : airlines) {
            checkArgument(
                    topicNames.add(topic(airline)),
                    "Two airlines cannot share topic '%s': their schemas differ",
                    topic(airline));
        }
    }

    private static List<Airline<?>> parseAirlines(JobArguments args) {
        List<String> names =
                args.getList(AIRLINES, Airline.all().stream().map(Airline::name).toList());
        LinkedHashSet<Airline<?>> airlines = new LinkedHashSet<>();
        for (String name : names) {
            airlines.add(Airline.named(name));
        }
        return List.copyOf(airlines);
    }

    @Nullable
    private static Double parseRecordsPerSecond(JobArguments args) {
        if (args.get(RECORDS_PER_SECOND).map(UNLIMITED::equalsIgnoreCase).orElse(false)) {
            return null;
        }
        double perSecond = args.getDouble(RECORDS_PER_SECOND, DEFAULT_RECORDS_PER_SECOND);
        checkArgument(
                perSecond >= 0 && Double.isFinite(perSecond),
                "--%s must be a positive number, 0 or %s but was %s",
                RECORDS_PER_SECOND,
                UNLIMITED,
                perSecond);
        return perSecond == 0 ? null : perSecond;
    }

    @Nullable
    private static Long parseMaxRecords(JobArguments args) {
        if (args.get(MAX_RECORDS).isEmpty() || args.get(MAX_RECORDS).get().equalsIgnoreCase(UNBOUNDED)) {
            return null;
        }
        long maxRecords = args.getLong(MAX_RECORDS, 0);
        checkArgument(maxRecords > 0, "--%s must be positive or %s but was %s", MAX_RECORDS, UNBOUNDED, maxRecords);
        return maxRecords;
    }

    private static Instant parseDeparturesFrom(JobArguments args) {
        LocalDate day = args.getParsed(DEPARTURES_FROM, LocalDate::parse, "a date like 2026-12-01")
                .orElseGet(() -> LocalDate.now(ZoneOffset.UTC));
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static BookingChanges parseChanges(JobArguments args) {
        double updateRatio = args.getDouble(UPDATE_RATIO, 0);
        double cancelRatio = args.getDouble(CANCEL_RATIO, 0);
        checkArgument(
                updateRatio >= 0 && updateRatio < 1, "--%s must be in [0, 1) but was %s", UPDATE_RATIO, updateRatio);
        checkArgument(
                cancelRatio >= 0 && cancelRatio < 1, "--%s must be in [0, 1) but was %s", CANCEL_RATIO, cancelRatio);
        checkArgument(
                updateRatio + cancelRatio < 1,
                "--%s (%s) plus --%s (%s) must be below 1, or no record would make a new booking",
                UPDATE_RATIO,
                updateRatio,
                CANCEL_RATIO,
                cancelRatio);
        return new BookingChanges(updateRatio, cancelRatio);
    }

    /** {@code exactly-once}, {@code at-least-once}. */
    private static String flagValue(DeliveryGuarantee guarantee) {
        return guarantee.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return "DataGeneratorOptions{airlines=" + airlines
                + ", topics=" + airlines.stream().map(this::topic).toList()
                + ", recordsPerSecond=" + (recordsPerSecond != null ? recordsPerSecond : UNLIMITED)
                + ", maxRecords=" + (maxRecords != null ? maxRecords : UNBOUNDED)
                + ", seed=" + seed
                + ", departuresFrom=" + departuresFrom
                + ", deliveryGuarantee=" + deliveryGuarantee
                + ", transactionalIdPrefixes="
                + airlines.stream().map(this::transactionalIdPrefix).toList()
                + ", checkpointInterval=" + checkpointInterval
                + ", updateRatio=" + changes.updateRatio()
                + ", cancelRatio=" + changes.cancelRatio()
                + "}";
    }
}
