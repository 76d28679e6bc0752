package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.JobArguments;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * The {@code --maintenance*} flags: when compaction, snapshot expiry and orphan-file removal run for the
 * tables the job writes, and how far they go. Listed in the README's avro-to-iceberg-job flag table.
 */
final class TableMaintenanceSettings {

    static final String ENABLED = "maintenance";
    static final String PREFIX = "maintenance.";
    static final String CHECK_INTERVAL = PREFIX + "check-interval";
    static final String TRIGGER_COMMITS = PREFIX + "trigger-commits";
    static final String TRIGGER_INTERVAL = PREFIX + "trigger-interval";
    static final String KEEP_SNAPSHOTS = PREFIX + "keep-snapshots";
    static final String SNAPSHOT_MAX_AGE = PREFIX + "snapshot-max-age";
    static final String ORPHAN_MIN_AGE = PREFIX + "orphan-min-age";
    static final String ORPHAN_CLEANUP_INTERVAL = PREFIX + "orphan-cleanup-interval";

    static final List<String> FLAGS = List.of(
            ENABLED,
            CHECK_INTERVAL,
            TRIGGER_COMMITS,
            TRIGGER_INTERVAL,
            KEEP_SNAPSHOTS,
            SNAPSHOT_MAX_AGE,
            ORPHAN_MIN_AGE,
            ORPHAN_CLEANUP_INTERVAL);

    /** Iceberg's own default: how often the table is polled and the least time between two task starts. */
    static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(60);

    static final int DEFAULT_TRIGGER_COMMITS = 10;
    static final Duration DEFAULT_TRIGGER_INTERVAL = Duration.ofHours(1);
    static final int DEFAULT_KEEP_SNAPSHOTS = 20;
    static final Duration DEFAULT_SNAPSHOT_MAX_AGE = Duration.ofHours(1);
    /** Iceberg's own default for orphan-file removal. */
    static final Duration DEFAULT_ORPHAN_MIN_AGE = Duration.ofDays(3);

    static final Duration DEFAULT_ORPHAN_CLEANUP_INTERVAL = Duration.ofDays(1);
    /**
     * A data file is written, then committed once its checkpoint completes: younger than this many
     * checkpoint intervals, an unreferenced file may still be on its way into the table.
     */
    static final int ORPHAN_MIN_AGE_CHECKPOINTS = 10;

    /**
     * Snapshot expiry keeps at least this many snapshots: the Iceberg sink finds out, after a restart,
     * which checkpoints it already committed from the snapshots' summaries, so the last ingestion commit
     * must not be expired by a few compaction commits that followed it.
     */
    static final int MIN_KEEP_SNAPSHOTS = 5;

    /** Where the tables' maintenance runs: the {@code --maintenance} flag's values. */
    enum Mode {
        /** In the ingestion job, beside the writers (the default). */
        IN_JOB("true"),
        /** Not in this job: no maintenance, or another job or engine maintains the tables. */
        OFF("false"),
        /** This job maintains the tables and reads no records: a job of its own beside ingestion with {@code OFF}. */
        ONLY("only");

        private final String flagValue;

        Mode(String flagValue) {
            this.flagValue = flagValue;
        }

        static Mode of(String flagValue) {
            for (Mode mode : values()) {
                if (mode.flagValue.equalsIgnoreCase(flagValue.trim())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException(
                    "--" + ENABLED + " must be true, false or only, but was '" + flagValue + "'");
        }
    }

    private final Mode mode;
    private final Duration checkInterval;
    private final int triggerCommits;
    private final Duration triggerInterval;
    private final int keepSnapshots;
    private final Duration snapshotMaxAge;
    private final Duration orphanMinAge;
    private final Duration orphanCleanupInterval;

    @Nullable
    private final Long targetFileSizeBytes;

    private TableMaintenanceSettings(
            JobArguments args, Duration checkpointInterval, @Nullable Long targetFileSizeBytes) {
        this.mode = Mode.of(args.get(ENABLED).orElse(Mode.IN_JOB.flagValue));
        this.checkInterval = args.getDuration(CHECK_INTERVAL, DEFAULT_CHECK_INTERVAL);
        // Iceberg turns the check interval into a per-second rate of whole seconds.
        checkArgument(
                checkInterval.getSeconds() >= 1 && checkInterval.toMillis() % 1000 == 0,
                "--%s must be whole seconds, at least 1s, but was %s",
                CHECK_INTERVAL,
                checkInterval);
        this.triggerCommits = args.getPositiveInt(TRIGGER_COMMITS, DEFAULT_TRIGGER_COMMITS);
        this.triggerInterval = args.getPositiveDuration(TRIGGER_INTERVAL, DEFAULT_TRIGGER_INTERVAL);
        this.keepSnapshots = args.getInt(KEEP_SNAPSHOTS, DEFAULT_KEEP_SNAPSHOTS);
        checkArgument(
                keepSnapshots >= MIN_KEEP_SNAPSHOTS,
                "--%s must be at least %s: after a restart the Iceberg sink reads its last committed checkpoint"
                        + " from the snapshots, and must not find it expired",
                KEEP_SNAPSHOTS,
                MIN_KEEP_SNAPSHOTS);
        this.snapshotMaxAge = args.getPositiveDuration(SNAPSHOT_MAX_AGE, DEFAULT_SNAPSHOT_MAX_AGE);
        this.orphanMinAge = args.getDuration(ORPHAN_MIN_AGE, DEFAULT_ORPHAN_MIN_AGE);
        Duration floor = checkpointInterval.multipliedBy(ORPHAN_MIN_AGE_CHECKPOINTS);
        checkArgument(
                orphanMinAge.compareTo(floor) >= 0,
                "--%s must be at least %s checkpoint intervals (%s): younger unreferenced files may be data files"
                        + " written for a checkpoint that is not committed yet, and deleting them loses rows",
                ORPHAN_MIN_AGE,
                ORPHAN_MIN_AGE_CHECKPOINTS,
                floor);
        this.orphanCleanupInterval = args.getPositiveDuration(ORPHAN_CLEANUP_INTERVAL, DEFAULT_ORPHAN_CLEANUP_INTERVAL);
        this.targetFileSizeBytes = targetFileSizeBytes;
    }

    /**
     * The maintenance flags of {@code args}; {@code checkpointInterval} bounds the orphan age and
     * {@code targetFileSizeBytes} (the job's {@code --target-file-size}, or the table's own setting when
     * null) is what compaction writes.
     */
    static TableMaintenanceSettings from(
            JobArguments args, Duration checkpointInterval, @Nullable Long targetFileSizeBytes) {
        checkNotNull(args, "args");
        checkNotNull(checkpointInterval, "checkpointInterval");
        return new TableMaintenanceSettings(args, checkpointInterval, targetFileSizeBytes);
    }

    /** Whether this job maintains the tables, beside ingestion or alone. */
    boolean enabled() {
        return mode != Mode.OFF;
    }

    /** Whether this job only maintains the tables: it reads no records and writes no rows. */
    boolean only() {
        return mode == Mode.ONLY;
    }

    Duration checkInterval() {
        return checkInterval;
    }

    int triggerCommits() {
        return triggerCommits;
    }

    Duration triggerInterval() {
        return triggerInterval;
    }

    int keepSnapshots() {
        return keepSnapshots;
    }

    Duration snapshotMaxAge() {
        return snapshotMaxAge;
    }

    Duration orphanMinAge() {
        return orphanMinAge;
    }

    Duration orphanCleanupInterval() {
        return orphanCleanupInterval;
    }

    Optional<Long> targetFileSizeBytes() {
        return Optional.ofNullable(targetFileSizeBytes);
    }

    @Override
    public String toString() {
        return enabled()
                ? "TableMaintenanceSettings{mode=" + mode + ", checkInterval=" + checkInterval + ", triggerCommits="
                        + triggerCommits
                        + ", triggerInterval=" + triggerInterval + ", keepSnapshots=" + keepSnapshots
                        + ", snapshotMaxAge=" + snapshotMaxAge + ", orphanMinAge=" + orphanMinAge
                        + ", orphanCleanupInterval=" + orphanCleanupInterval + ", targetFileSizeBytes="
                        + targetFileSizeBytes + "}"
                : "TableMaintenanceSettings{off}";
    }
}
