package dev.flinkkickstarter.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.JobArguments;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class DataGeneratorOptionsTest {

    @Test
    void defaults() {
        DataGeneratorOptions options = parse();

        assertThat(options.airlines()).containsExactly(Airline.SKY_ONE, Airline.SUNSET);
        assertThat(options.topic(Airline.SKY_ONE)).isEqualTo("airline.skyone");
        assertThat(options.topic(Airline.SUNSET)).isEqualTo("airline.sunset");
        assertThat(options.recordsPerSecond()).hasValue(10.0);
        assertThat(options.maxRecords()).isEmpty();
        assertThat(options.seedGiven()).isFalse();
        assertThat(options.departuresFrom())
                .isEqualTo(LocalDate.now(ZoneOffset.UTC)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
        assertThat(options.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        // Unique per sink, and per deployment as long as deployments write to different topics.
        assertThat(options.transactionalIdPrefix(Airline.SKY_ONE)).isEqualTo("datagen-airline.skyone");
        assertThat(options.transactionalIdPrefix(Airline.SUNSET)).isEqualTo("datagen-airline.sunset");
        assertThat(options.transactionTimeout()).isEmpty();
        assertThat(options.parallelism()).isEmpty();
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.changes()).isEqualTo(BookingChanges.NONE);
    }

    @Test
    void everyFlag() {
        DataGeneratorOptions options = parse(
                "--airlines", "sunset",
                "--records-per-second", "2.5",
                "--max-records", "1000",
                "--seed", "-7",
                "--departures-from", "2027-01-15",
                "--delivery-guarantee", "at-least-once",
                "--transactional-id-prefix", "demo",
                "--transaction-timeout", "2 min",
                "--skyone-topic", "sky",
                "--sunset-topic", "sun",
                "--parallelism", "3",
                "--checkpoint-interval", "30s",
                "--update-ratio", "0.25",
                "--cancel-ratio", "0.05",
                // Client settings flags are known too.
                "--bootstrap-servers", "localhost:1234",
                "--producer.linger.ms", "5");

        assertThat(options.airlines()).containsExactly(Airline.SUNSET);
        assertThat(options.recordsPerSecond()).hasValue(2.5);
        assertThat(options.maxRecords()).hasValue(1000L);
        assertThat(options.seed()).isEqualTo(-7);
        assertThat(options.seedGiven()).isTrue();
        assertThat(options.departuresFrom()).isEqualTo(Instant.parse("2027-01-15T00:00:00Z"));
        assertThat(options.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(options.transactionalIdPrefix(Airline.SUNSET)).isEqualTo("demo-sunset");
        assertThat(options.transactionTimeout()).hasValue(Duration.ofMinutes(2));
        assertThat(options.topic(Airline.SKY_ONE)).isEqualTo("sky");
        assertThat(options.topic(Airline.SUNSET)).isEqualTo("sun");
        assertThat(options.parallelism()).hasValue(3);
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.changes()).isEqualTo(new BookingChanges(0.25, 0.05));
    }

    @Test
    void zeroOrUnlimitedMeansNoRateLimit() {
        assertThat(parse("--records-per-second", "0").recordsPerSecond()).isEmpty();
        assertThat(parse("--records-per-second", "unlimited").recordsPerSecond())
                .isEmpty();
        assertThat(parse("--max-records", "unbounded").maxRecords()).isEmpty();
    }

    @Test
    void withoutASeedEachRunDiffers() {
        assertThat(parse().seed()).isNotEqualTo(parse().seed());
    }

    @Test
    void repeatedAirlinesCountOnce() {
        assertThat(parse("--airlines", "sunset,skyone,sunset").airlines())
                .containsExactly(Airline.SUNSET, Airline.SKY_ONE);
    }

    @Test
    void unknownFlagsAreRejected() {
        assertThatThrownBy(() -> parse("--max-record", "10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-record")
                .hasMessageContaining("--max-records");
    }

    @Test
    void badValuesAreRejectedNamingTheFlag() {
        assertThatThrownBy(() -> parse("--airlines", "oceanic")).hasMessageContaining("oceanic");
        assertThatThrownBy(() -> parse("--records-per-second", "-1")).hasMessageContaining("--records-per-second");
        assertThatThrownBy(() -> parse("--max-records", "0")).hasMessageContaining("--max-records");
        assertThatThrownBy(() -> parse("--delivery-guarantee", "maybe-once"))
                .hasMessageContaining("--delivery-guarantee");
        assertThatThrownBy(() -> parse("--departures-from", "tomorrow")).hasMessageContaining("--departures-from");
        assertThatThrownBy(() -> parse("--parallelism", "0")).hasMessageContaining("--parallelism");
        assertThatThrownBy(() -> parse("--checkpoint-interval", "0s")).hasMessageContaining("--checkpoint-interval");
        assertThatThrownBy(() -> parse("--skyone-topic", "flights", "--sunset-topic", "flights"))
                .hasMessageContaining("flights");
        assertThatThrownBy(() -> parse("--update-ratio", "-0.1")).hasMessageContaining("--update-ratio");
        assertThatThrownBy(() -> parse("--update-ratio", "1")).hasMessageContaining("--update-ratio");
        assertThatThrownBy(() -> parse("--cancel-ratio", "NaN")).hasMessageContaining("--cancel-ratio");
        assertThatThrownBy(() -> parse("--update-ratio", "0.6", "--cancel-ratio", "0.4"))
                .hasMessageContaining("--update-ratio")
                .hasMessageContaining("--cancel-ratio")
                .hasMessageContaining("below 1");
    }

    @Test
    void exactlyOnceNeedsATransactionTimeoutLongerThanTheCheckpointInterval() {
        assertThatThrownBy(() -> parse("--transaction-timeout", "10s", "--checkpoint-interval", "1min"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--transaction-timeout")
                .hasMessageContaining("--checkpoint-interval");
        assertThat(parse(
                                "--transaction-timeout",
                                "10s",
                                "--checkpoint-interval",
                                "1min",
                                "--delivery-guarantee",
                                "at-least-once")
                        .deliveryGuarantee())
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    private static DataGeneratorOptions parse(String... args) {
        return DataGeneratorOptions.from(JobArguments.parse(args, Map.of()));
    }
}
