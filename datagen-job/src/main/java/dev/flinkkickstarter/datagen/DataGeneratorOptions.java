package dev.flinkkickstarter.datagen;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.kafka.TransactionalIds;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The job's own flags (the Kafka and Schema Registry ones belong to {@link ClientSettings}), parsed
 * and checked once in {@code main}.
 */
public final class DataGeneratorOptions {

    public static final String AIRLINES = "airlines";
    public static final String RECORDS_PER_SECOND = "records-per-second";
    public static final String MAX_RECORDS = "max-records";
    public static final String SEED = "seed";
    public static final String DEPARTURES_FROM = "departures-from";
    public static final String DELIVERY_GUARANTEE = "delivery-guarantee";
    public static final String TRANSACTIONAL_ID_PREFIX = "transactional-id-prefix";
    public static final String TRANSACTION_TIMEOUT = "transaction-timeout";
    public static final String PARALLELISM = "parallelism";
    public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    public static final String JOB_ID = TransactionalIds.JOB_ID_FLAG;
    public static final String UPDATE_RATIO = "update-ratio";
    public static final String CANCEL_RATIO = "cancel-ratio";

    public static final double DEFAULT_RECORDS_PER_SECOND = 10;
    public static final String DEFAULT_JOB_ID = "datagen";
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private static final String UNLIMITED = "unlimited";
    private static final String UNBOUNDED = "unbounded";
    private static final Map<String, DeliveryGuarantee> DELIVERY_GUARANTEES =
            Map.of("exactly-once", DeliveryGuarantee.EXACTLY_ONCE, "at-least-once", DeliveryGuarantee.AT_LEAST_ONCE);

    private final List<Airline<?>> airlines;
    private final Map<Airline<?>, String> topics;
    private final OptionalDouble recordsPerSecond;
    private final OptionalLong maxRecords;
    private final long seed;
    private final boolean seedGiven;
    private final Instant departuresFrom;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String jobId;
    private final Optional<String> transactionalIdPrefix;
    private final Optional<Duration> transactionTimeout;
    private final OptionalInt parallelism;
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
        this.deliveryGuarantee = parseDeliveryGuarantee(args);
        this.jobId = TransactionalIds.checkJobId(args.getOrDefault(JOB_ID, DEFAULT_JOB_ID), JOB_ID);
        this.transactionalIdPrefix = args.get(TRANSACTIONAL_ID_PREFIX)
                .map(prefix -> TransactionalIds.checkPrefix(prefix, TRANSACTIONAL_ID_PREFIX));
        this.transactionTimeout = args.get(TRANSACTION_TIMEOUT).isPresent()
                ? Optional.of(args.getDuration(TRANSACTION_TIMEOUT, Duration.ZERO))
                : Optional.empty();
        this.parallelism =
                args.get(PARALLELISM).isPresent() ? OptionalInt.of(args.getInt(PARALLELISM, 0)) : OptionalInt.empty();
        this.checkpointInterval = args.getDuration(CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        this.changes = parseChanges(args);
        sanityCheck();
    }

    /**
     * Parses the job's flags from {@code args}, rejecting any flag that neither this job nor
     * {@link ClientSettings} knows: a misspelt flag must not silently fall back to a default.
     */
    public static DataGeneratorOptions parse(JobArguments args) {
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
    public static String topicFlag(Airline<?> airline) {
        return airline.name() + "-topic";
    }

    /** The airlines to generate, in the order given. */
    public List<Airline<?>> airlines() {
        return airlines;
    }

    public String topic(Airline<?> airline) {
        return topics.get(airline);
    }

    /** Records per second per airline; empty for as fast as possible. */
    public OptionalDouble recordsPerSecond() {
        return recordsPerSecond;
    }

    /** Records per airline after which the job finishes; empty to run until cancelled. */
    public OptionalLong maxRecords() {
        return maxRecords;
    }

    public long seed() {
        return seed;
    }

    /** Whether {@link #seed()} came from {@code --seed} rather than chance. */
    public boolean seedGiven() {
        return seedGiven;
    }

    /** Start of the window departures fall into. */
    public Instant departuresFrom() {
        return departuresFrom;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    /**
     * Unique per sink and deployment, so no two sinks' transactions fence each other: {@code
     * <--transactional-id-prefix>-<airline>} if that flag is given, else {@code <--job-id>-<topic>}, so
     * that deployments writing to other topics never collide even with the default job id.
     */
    public String transactionalIdPrefix(Airline<?> airline) {
        return transactionalIdPrefix
                .map(prefix -> TransactionalIds.prefix(prefix, airline.name()))
                .orElseGet(() -> TransactionalIds.prefix(jobId, topic(airline)));
    }

    /** Empty to keep the producer properties' value or the sink's default. */
    public Optional<Duration> transactionTimeout() {
        return transactionTimeout;
    }

    /** Empty for the cluster's default parallelism. */
    public OptionalInt parallelism() {
        return parallelism;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** How many records update or cancel an earlier booking instead of making a new one. */
    public BookingChanges changes() {
        return changes;
    }

    private void sanityCheck() {
        parallelism.ifPresent(p -> checkArgument(p > 0, "--%s must be positive but was %s", PARALLELISM, p));
        checkArgument(
                !checkpointInterval.isNegative() && !checkpointInterval.isZero(),
                "--%s must be positive but was %s",
                CHECKPOINT_INTERVAL,
                checkpointInterval);
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            airlines.forEach(this::transactionalIdPrefix); // fails now if a derived prefix is too long
            // A transaction stays open from one checkpoint to the next; the broker aborts it after the timeout.
            transactionTimeout.ifPresent(timeout -> checkArgument(
                    timeout.compareTo(checkpointInterval) > 0,
                    "--%s (%s) must be longer than --%s (%s): transactions are committed on checkpoints",
                    TRANSACTION_TIMEOUT,
                    timeout,
                    CHECKPOINT_INTERVAL,
                    checkpointInterval));
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

    private static OptionalDouble parseRecordsPerSecond(JobArguments args) {
        if (args.get(RECORDS_PER_SECOND).map(UNLIMITED::equalsIgnoreCase).orElse(false)) {
            return OptionalDouble.empty();
        }
        double perSecond = args.getDouble(RECORDS_PER_SECOND, DEFAULT_RECORDS_PER_SECOND);
        checkArgument(
                perSecond >= 0 && Double.isFinite(perSecond),
                "--%s must be a positive number, 0 or %s but was %s",
                RECORDS_PER_SECOND,
                UNLIMITED,
                perSecond);
        return perSecond == 0 ? OptionalDouble.empty() : OptionalDouble.of(perSecond);
    }

    private static OptionalLong parseMaxRecords(JobArguments args) {
        if (args.get(MAX_RECORDS).isEmpty() || args.get(MAX_RECORDS).get().equalsIgnoreCase(UNBOUNDED)) {
            return OptionalLong.empty();
        }
        long maxRecords = args.getLong(MAX_RECORDS, 0);
        checkArgument(maxRecords > 0, "--%s must be positive or %s but was %s", MAX_RECORDS, UNBOUNDED, maxRecords);
        return OptionalLong.of(maxRecords);
    }

    private static Instant parseDeparturesFrom(JobArguments args) {
        Optional<String> value = args.get(DEPARTURES_FROM);
        if (value.isEmpty()) {
            return LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        try {
            return LocalDate.parse(value.get().trim())
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--" + DEPARTURES_FROM + " must be a date like 2026-12-01 but was '" + value.get() + "'", e);
        }
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

    private static DeliveryGuarantee parseDeliveryGuarantee(JobArguments args) {
        String value =
                args.getOrDefault(DELIVERY_GUARANTEE, "exactly-once").trim().toLowerCase(Locale.ROOT);
        DeliveryGuarantee guarantee = DELIVERY_GUARANTEES.get(value);
        checkArgument(
                guarantee != null,
                "--%s must be exactly-once or at-least-once but was '%s'",
                DELIVERY_GUARANTEE,
                value);
        return guarantee;
    }

    @Override
    public String toString() {
        return "DataGeneratorOptions{airlines=" + airlines
                + ", topics=" + airlines.stream().map(this::topic).toList()
                + ", recordsPerSecond=" + (recordsPerSecond.isPresent() ? recordsPerSecond.getAsDouble() : UNLIMITED)
                + ", maxRecords=" + (maxRecords.isPresent() ? maxRecords.getAsLong() : UNBOUNDED)
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
