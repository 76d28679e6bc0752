package dev.flinkkickstarter.common.flink;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restart strategy with a budget for jobs whose user did not choose one. Flink's default with
 * checkpointing is exponential-delay with no limit on attempts: a job that fails the same way every
 * time (a record it cannot process, a registry that stays down) restarts forever and looks alive.
 * With this, it retries {@value #ATTEMPTS} times, 1 s to {@value #MAX_BACKOFF_SECONDS} s apart (a
 * killed TaskManager's replacement, a registry restart fit in), then fails with the last cause
 * shown in the Flink UI and the CLI. An hour without failure restores the full budget.
 */
public final class BoundedRestarts {

    static final int ATTEMPTS = 10;
    static final int MAX_BACKOFF_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(BoundedRestarts.class);

    private BoundedRestarts() {}

    /**
     * Sets the bounded exponential-delay strategy on {@code env} unless {@code restart-strategy.type}
     * is already configured (flink config, {@code -D} flags): the user's or cluster's choice wins.
     */
    public static void applyUnlessConfigured(StreamExecutionEnvironment env) {
        checkNotNull(env, "env");
        if (env.getConfiguration()
                .getOptional(RestartStrategyOptions.RESTART_STRATEGY)
                .isPresent()) {
            return;
        }
        Configuration bounded = new Configuration();
        bounded.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        bounded.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        bounded.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(MAX_BACKOFF_SECONDS));
        bounded.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, ATTEMPTS);
        env.configure(bounded);
        LOG.info(
                "No restart strategy configured: restarting at most {} times, 1 s to {} s apart, then failing",
                ATTEMPTS,
                MAX_BACKOFF_SECONDS);
    }
}
