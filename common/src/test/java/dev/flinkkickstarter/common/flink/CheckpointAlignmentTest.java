package dev.flinkkickstarter.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class CheckpointAlignmentTest {

    @Test
    void barriersWaitForAlignmentOnlyUpToTheTimeout() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        CheckpointAlignment.timeOutUnlessConfigured(env);

        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isTrue();
        assertThat(env.getCheckpointConfig().getAlignedCheckpointTimeout())
                .isEqualTo(CheckpointAlignment.ALIGNED_TIMEOUT);
    }

    @Test
    void configuredAlignedCheckpointsWin() {
        Configuration config = new Configuration();
        config.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);

        CheckpointAlignment.timeOutUnlessConfigured(env);

        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();
        assertThat(env.getConfiguration().getOptional(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
                .isEmpty();
    }

    @Test
    void aConfiguredTimeoutWins() {
        Configuration config = new Configuration();
        config.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        config.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, Duration.ofSeconds(30));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);

        CheckpointAlignment.timeOutUnlessConfigured(env);

        assertThat(env.getCheckpointConfig().getAlignedCheckpointTimeout()).isEqualTo(Duration.ofSeconds(30));
    }
}
