package dev.flinkkickstarter.common.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class BoundedRestartsTest {

    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    @Test
    void aJobThatAlwaysFailsGivesUpAfterTheBudgetWithTheCause() {
        Configuration config = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        BoundedRestarts.applyUnlessConfigured(env);
        // The budget as set, with short backoffs so the test takes a second.
        Configuration fast = new Configuration();
        fast.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(1));
        fast.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMillis(10));
        env.configure(fast);
        env.setParallelism(1);
        env.fromData(1)
                .map(new AlwaysFails())
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        ATTEMPTS.set(0);

        assertThatThrownBy(() -> env.execute("always fails")).hasStackTraceContaining("poison 1");
        assertThat(ATTEMPTS.get()).isEqualTo(BoundedRestarts.ATTEMPTS + 1);
    }

    @Test
    void aConfiguredStrategyWins() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);

        BoundedRestarts.applyUnlessConfigured(env);

        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("none");
        assertThat(env.getConfiguration()
                        .getOptional(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEmpty();
    }

    private static final class AlwaysFails implements MapFunction<Integer, Integer> {
        @Override
        public Integer map(Integer value) {
            ATTEMPTS.incrementAndGet();
            throw new IllegalStateException("poison " + value);
        }
    }
}
