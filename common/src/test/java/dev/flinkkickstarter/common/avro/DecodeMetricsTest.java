package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.common.avro.WireFormatException.Reason;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DecodeMetricsTest {

    @RegisterExtension
    final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    @Test
    void countsRegistryCallsCacheHitsAndDeadLettersByReason() throws Exception {
        RecordingGroup group = new RecordingGroup("topic=airline.test");
        DecodeMetrics metrics = DecodeMetrics.register(group);
        ConfluentAvroDecoder decoder = ConfluentAvroDecoder.forWriterSchemas("airline.test", registry.settings());
        decoder.setListener(metrics);

        for (int i = 0; i < 5; i++) {
            try {
                decoder.decode(new byte[] {0, 0, 0, 0, 99, 2});
            } catch (WireFormatException e) {
                metrics.deadLettered(e.reason().name());
            }
        }
        metrics.deadLettered("CONVERSION_ERROR");

        assertThat(group.count("topic=airline.test.registryCalls")).isEqualTo(1);
        assertThat(group.count("topic=airline.test.unknownSchemaIdCacheHits")).isEqualTo(4);
        assertThat(((Histogram) group.metrics.get("topic=airline.test.registryCallLatencyMs")).getCount())
                .isEqualTo(1);
        assertThat(group.count("topic=airline.test.reason=UNKNOWN_SCHEMA_ID.deadLetters"))
                .isEqualTo(5);
        assertThat(group.count("topic=airline.test.reason=CONVERSION_ERROR.deadLetters"))
                .isEqualTo(1);
        // Every reason is there from the start, so dashboards show zeros rather than gaps.
        for (Reason reason : Reason.values()) {
            assertThat(group.metrics).containsKey("topic=airline.test.reason=" + reason + ".deadLetters");
        }
    }

    /** Keeps every metric registered through it or its subgroups under its dotted path. */
    private static final class RecordingGroup extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics;
        private final String path;

        RecordingGroup(String path) {
            this(path, new TreeMap<>());
        }

        private RecordingGroup(String path, Map<String, Metric> metrics) {
            this.path = path;
            this.metrics = metrics;
        }

        long count(String name) {
            return ((Counter) metrics.get(name)).getCount();
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            metrics.put(path + "." + name, counter);
            return counter;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            metrics.put(path + "." + name, histogram);
            return histogram;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new RecordingGroup(path + "." + key + "=" + value, metrics);
        }
    }
}
