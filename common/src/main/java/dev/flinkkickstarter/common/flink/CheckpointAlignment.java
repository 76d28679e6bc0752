package dev.flinkkickstarter.common.flink;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoint barriers that stop waiting behind queued records after {@link #ALIGNED_TIMEOUT}: Flink's unaligned
 * checkpoints, switched to only when a barrier has waited that long, so every other checkpoint stays aligned.
 *
 * <p>Why: a task busy with a long queue holds an aligned barrier until it has worked through everything queued in
 * front of it, and the whole checkpoint waits, with every commit made on it. Iceberg's table maintenance in the
 * ingestion job queues a compaction run's file groups for the rewriter at once; an aligned barrier behind them held
 * the ingestion commit for 25 s in the latency benchmark. With the timeout it passes them after the group being
 * rewritten, and the queued ones are stored in the checkpoint (and processed after a restore): still exactly once.
 */
public final class CheckpointAlignment {

    static final Duration ALIGNED_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointAlignment.class);

    private CheckpointAlignment() {}

    /**
     * Turns on unaligned checkpoints after {@link #ALIGNED_TIMEOUT} of alignment unless {@code
     * execution.checkpointing.unaligned.enabled} or {@code execution.checkpointing.aligned-checkpoint-timeout} is
     * configured (flink config, {@code -D} flags): the user's or cluster's choice wins.
     */
    public static void timeOutUnlessConfigured(StreamExecutionEnvironment env) {
        checkNotNull(env, "env");
        ReadableConfig configured = env.getConfiguration();
        if (configured.getOptional(CheckpointingOptions.ENABLE_UNALIGNED).isPresent()
                || configured
                        .getOptional(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT)
                        .isPresent()) {
            return;
        }
        Configuration timeout = new Configuration();
        timeout.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        timeout.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, ALIGNED_TIMEOUT);
        env.configure(timeout);
        LOG.info("Checkpoint barriers overtake queued records after {} of alignment", ALIGNED_TIMEOUT);
    }
}
