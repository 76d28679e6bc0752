package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JobArgumentsTest {

    @Test
    void parsesBothFlagStylesSwitchesAndRepeats() {
        JobArguments args = JobArguments.parse(
                new String[] {"--topic", "a", "--kafka.acks=all", "--verbose", "--topic=b", "--kafka.linger.ms", "5"},
                Map.of());

        assertThat(args.get("topic")).contains("b");
        assertThat(args.getList("topic", List.of())).containsExactly("a", "b");
        assertThat(args.getBoolean("verbose", false)).isTrue();
        assertThat(args.withPrefix("kafka.")).containsExactly(Map.entry("acks", "all"), Map.entry("linger.ms", "5"));
    }

    @Test
    void keepsValuesVerbatimIncludingEqualsSigns() {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"k\" password=\"s=1\";";
        JobArguments args = JobArguments.parse(new String[] {"--kafka.sasl.jaas.config=" + jaas}, Map.of());

        assertThat(args.withPrefix("kafka.")).containsEntry("sasl.jaas.config", jaas);
    }

    @Test
    void flagWinsOverEnvironmentWhichWinsOverDefault() {
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:9092");

        assertThat(JobArguments.parse(new String[] {"--bootstrap-servers", "flag:9092"}, env)
                        .get("bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "default:9092"))
                .isEqualTo("flag:9092");
        assertThat(JobArguments.parse(new String[0], env).get("bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "x"))
                .isEqualTo("env:9092");
        assertThat(JobArguments.parse(new String[0], Map.of("KAFKA_BOOTSTRAP_SERVERS", " "))
                        .get("bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "default:9092"))
                .isEqualTo("default:9092");
    }

    @Test
    void typedGettersNameTheFlagOnBadInput() {
        JobArguments args =
                JobArguments.parse(new String[] {"--records", "ten", "--interval", "soon", "--on", "yes"}, Map.of());

        assertThatThrownBy(() -> args.getLong("records", 1)).hasMessageContaining("--records must be an integer");
        assertThatThrownBy(() -> args.getDuration("interval", Duration.ZERO))
                .hasMessageContaining("--interval must be a duration");
        assertThatThrownBy(() -> args.getBoolean("on", false)).hasMessageContaining("--on must be true or false");
    }

    @Test
    void parsesDurationsAndDefaults() {
        JobArguments args = JobArguments.parse(new String[] {"--checkpoint-interval", "10 s"}, Map.of());

        assertThat(args.getDuration("checkpoint-interval", Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
        assertThat(args.getInt("parallelism", 2)).isEqualTo(2);
    }

    @Test
    void checksPositiveValuesChoicesAndParsedValuesNamingTheFlag() {
        JobArguments args = JobArguments.parse(
                new String[] {
                    "--interval", "0s", "--count", "-2", "--mode", " Hash ", "--pattern", "[", "--timeout", "2 min"
                },
                Map.of());

        assertThatThrownBy(() -> args.getPositiveDuration("interval", Duration.ofSeconds(1)))
                .hasMessage("Flag --interval must be positive but was PT0S");
        assertThat(args.getPositiveDuration("other", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> args.getPositiveInt("count")).hasMessage("Flag --count must be positive but was -2");
        assertThat(args.getPositiveInt("other")).isEmpty();
        assertThat(args.getDuration("timeout")).contains(Duration.ofMinutes(2));
        assertThat(args.getDuration("other")).isEmpty();

        List<String> modes = List.of("none", "hash", "range");
        assertThat(args.getChoice("mode", modes, mode -> mode, "none")).isEqualTo("hash");
        assertThat(args.getChoice("other", modes, mode -> mode, "none")).isEqualTo("none");
        JobArguments unknownMode = JobArguments.parse(new String[] {"--mode", "random"}, Map.of());
        assertThatThrownBy(() -> unknownMode.getChoice("mode", modes, mode -> mode, "none"))
                .hasMessage("Flag --mode must be none, hash or range but was 'random'");

        assertThatThrownBy(() -> args.getParsed("pattern", Pattern::compile, "a regular expression"))
                .hasMessage("Flag --pattern must be a regular expression but was '['");
        assertThat(args.getParsed("other", Integer::parseInt, "an integer")).isEmpty();
    }

    @Test
    void rejectsPositionalArgumentsAndUnknownFlags() {
        assertThatThrownBy(() -> JobArguments.parse(new String[] {"oops"}, Map.of()))
                .hasMessageContaining("Expected a flag like --name value");

        JobArguments args = JobArguments.parse(new String[] {"--topcs", "x", "--kafka.acks", "all"}, Map.of());
        assertThatThrownBy(() -> args.checkOnlyKnownFlags(Set.of("topics"), Set.of("kafka.")))
                .hasMessageContaining("Unknown flag(s) --topcs")
                .hasMessageContaining("--topics");
    }

    @Test
    void toStringNeverShowsValues() {
        JobArguments args =
                JobArguments.parse(new String[] {"--kafka.sasl.jaas.config", "password=\"hunter2\""}, Map.of());

        assertThat(args.toString()).doesNotContain("hunter2").contains("kafka.sasl.jaas.config");
    }
}
