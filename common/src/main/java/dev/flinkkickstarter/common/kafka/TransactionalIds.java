package dev.flinkkickstarter.common.kafka;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.regex.Pattern;

/**
 * Transactional id prefixes for exactly-once Kafka sinks, unique per deployment.
 *
 * <p>Kafka fences a producer when another one initialises the same {@code transactional.id}: two jobs
 * (or two sinks of one job) sharing a prefix abort each other's transactions, and the Flink connector
 * drops a fenced commit. Every prefix is therefore derived from the job's identity ({@code --job-id},
 * by default the consumer group of an ingestion job) plus the sink's role, e.g. {@code
 * avro-to-iceberg-dlq}.
 *
 * <p>Prefixes are checked like Kafka resource names ({@code [A-Za-z0-9._-]}, at most {@value
 * #MAX_PREFIX_LENGTH} characters), so they also work as ACL prefixes on Confluent Cloud ({@code
 * TRANSACTIONAL_ID} resources with pattern type {@code PREFIXED}); Flink appends {@code
 * -<subtask>-<counter>} to them.
 */
public final class TransactionalIds {

    /** The flag naming a deployment; the default prefixes derive from it. */
    public static final String JOB_ID_FLAG = "job-id";

    /** Kafka accepts longer ids, but ACL tooling and logs get unwieldy; Flink's suffix needs room too. */
    public static final int MAX_PREFIX_LENGTH = 200;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern INVALID_CHARS = Pattern.compile("[^A-Za-z0-9._-]");

    private TransactionalIds() {}

    /**
     * {@code jobId}, checked; {@code flag} names where it came from in the error message.
     *
     * @throws IllegalArgumentException if it is empty, too long or has characters outside {@code
     *     [A-Za-z0-9._-]}
     */
    public static String checkJobId(String jobId, String flag) {
        return check(jobId, "--" + flag);
    }

    /**
     * A job id derived from a name that may hold any character (a consumer group id): each character
     * outside {@code [A-Za-z0-9._-]} becomes {@code _}, and it is cut to fit.
     */
    public static String jobIdFrom(String name) {
        checkArgument(name != null && !name.isBlank(), "Cannot derive a job id from an empty name");
        String sanitized = INVALID_CHARS.matcher(name.trim()).replaceAll("_");
        return sanitized.length() <= MAX_PREFIX_LENGTH - 20
                ? sanitized
                : sanitized.substring(0, MAX_PREFIX_LENGTH - 20);
    }

    /** The prefix for the sink playing {@code role} in job {@code jobId}: {@code <jobId>-<role>}, checked. */
    public static String prefix(String jobId, String role) {
        checkNotNull(jobId, "jobId");
        checkNotNull(role, "role");
        return check(jobId + "-" + role, "The transactional id prefix for job '" + jobId + "' and role '" + role + "'");
    }

    /** {@code prefix}, checked. */
    public static String checkPrefix(String prefix) {
        return check(prefix, "The transactional id prefix");
    }

    /** {@code prefix} as given by {@code flag}, checked. */
    public static String checkPrefix(String prefix, String flag) {
        return check(prefix, "--" + flag);
    }

    private static String check(String value, String what) {
        checkArgument(value != null && !value.isBlank(), "%s must not be empty", what);
        checkArgument(
                value.length() <= MAX_PREFIX_LENGTH,
                "%s is %s characters long; at most %s are allowed (Flink appends a suffix to each transactional id)",
                what,
                value.length(),
                MAX_PREFIX_LENGTH);
        checkArgument(
                VALID.matcher(value).matches(),
                "%s ('%s') may only contain letters, digits, '.', '_' and '-', like Kafka topic and ACL names",
                what,
                value);
        return value;
    }
}
