package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The decode path's metrics for one topic, registered in the group it is given (e.g. {@code
 * topic=<topic>}): {@code deadLetters} per {@code reason=<REASON>} subgroup (every {@link Reason}
 * registered up front, so dashboards show zeros; other reasons on first use), {@code registryCalls},
 * {@code registryCallLatencyMs} (a histogram over the last {@value #LATENCY_WINDOW} calls) and
 * {@code unknownSchemaIdCacheHits}. Hand it to {@link ConfluentAvroDecoder#setListener} and call
 * {@link #deadLettered} for each dead letter. For the operator's thread only.
 */
public final class DecodeMetrics implements SchemaRegistryListener {

    static final int LATENCY_WINDOW = 500;

    private final MetricGroup group;
    private final Map<String, Counter> deadLettersByReason = new HashMap<>();
    private final Counter registryCalls;
    private final Histogram registryCallLatencyMs;
    private final Counter unknownSchemaIdCacheHits;

    private DecodeMetrics(MetricGroup group) {
        this.group = group;
        for (Reason reason : Reason.values()) {
            deadLetterCounter(reason.name());
        }
        this.registryCalls = group.counter("registryCalls");
        this.registryCallLatencyMs =
                group.histogram("registryCallLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
        this.unknownSchemaIdCacheHits = group.counter("unknownSchemaIdCacheHits");
    }

    /** Registers the metrics in {@code group}, typically {@code getMetricGroup().addGroup("topic", topic)}. */
    public static DecodeMetrics register(MetricGroup group) {
        return new DecodeMetrics(checkNotNull(group, "group"));
    }

    /** Counts one dead letter with this reason (a {@link Reason} name or the caller's own, e.g. a conversion error). */
    public void deadLettered(String reason) {
        deadLetterCounter(checkNotNull(reason, "reason")).inc();
    }

    @Override
    public void registryCall(int httpStatus, long durationNanos) {
        registryCalls.inc();
        registryCallLatencyMs.update(durationNanos / 1_000_000L);
    }

    @Override
    public void unknownSchemaIdCacheHit(int schemaId) {
        unknownSchemaIdCacheHits.inc();
    }

    private Counter deadLetterCounter(String reason) {
        return deadLettersByReason.computeIfAbsent(
                reason, r -> group.addGroup("reason", r).counter("deadLetters"));
    }
}
