package dev.flinkkickstarter.benchmarks;

import dev.flinkkickstarter.testing.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own performance tools (kafka-tools, as {@code bin/kafka-producer-perf-test.sh} and {@code
 * bin/kafka-consumer-perf-test.sh} run them), each in its own JVM: the reference figures.
 */
final class KafkaPerformanceTools {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);
    // The last of these lines is the total; the earlier ones are 5-second windows.
    private static final Pattern PRODUCER_RESULT =
            Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");
    // ConsumerPerformance's line of values, after its header "start.time, end.time, data.consumed.in.MB, ...".
    private static final Pattern CONSUMER_RESULT =
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}:\\d{3}, .*$", Pattern.MULTILINE);
    private static final String CONSUMER_HEADER =
            "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,"
                    + " fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    private KafkaPerformanceTools() {}

    /** Records/s and MB/s (MiB, as the tools count) of one run. */
    record Throughput(long records, double recordsPerSecond, double megabytesPerSecond) {}

    /** {@code ProducerPerformance} at full speed: random payloads of {@code recordSize} bytes, no key. */
    static Throughput producerPerformance(
            String bootstrapServers, String topic, long records, int recordSize, String acks, Path log)
            throws IOException, InterruptedException {
        ChildProcess tool = ChildProcess.java("ProducerPerformance", "org.apache.kafka.tools.ProducerPerformance")
                .jvmOptions("-Xmx512m", Log4jConfig.write(log.resolveSibling("tools-log4j2.properties")))
                .arguments(
                        "--topic",
                        topic,
                        "--num-records",
                        String.valueOf(records),
                        "--record-size",
                        String.valueOf(recordSize),
                        "--throughput",
                        "-1",
                        "--producer-props",
                        "bootstrap.servers=" + bootstrapServers,
                        "acks=" + acks)
                .log(log)
                .start();
        tool.awaitSuccess(TIMEOUT);
        Matcher result = PRODUCER_RESULT.matcher(tool.output());
        Throughput last = null;
        while (result.find()) {
            last = new Throughput(
                    Long.parseLong(result.group(1)),
                    Double.parseDouble(result.group(2)),
                    Double.parseDouble(result.group(3)));
        }
        if (last == null || last.records() != records) {
            throw new IllegalStateException(
                    "ProducerPerformance did not report " + records + " records" + tool.outputTail());
        }
        return last;
    }

    /**
     * {@code ConsumerPerformance} reading {@code records} records from the start of {@code topic} in a new
     * group. The rate is its {@code fetch.nMsg.sec}: the time spent fetching, without the group join.
     */
    static Throughput consumerPerformance(String bootstrapServers, String topic, long records, Path log)
            throws IOException, InterruptedException {
        ChildProcess tool = ChildProcess.java("ConsumerPerformance", "org.apache.kafka.tools.ConsumerPerformance")
                .jvmOptions("-Xmx512m", Log4jConfig.write(log.resolveSibling("tools-log4j2.properties")))
                .arguments(
                        "--bootstrap-server",
                        bootstrapServers,
                        "--topic",
                        topic,
                        "--num-records",
                        String.valueOf(records),
                        "--group",
                        "consumer-performance-" + System.nanoTime(),
                        // Longest pause between records before it gives up; generous on a loaded machine.
                        "--timeout",
                        "120000")
                .log(log)
                .start();
        tool.awaitSuccess(TIMEOUT);
        String output = tool.output();
        Matcher result = CONSUMER_RESULT.matcher(output);
        if (output.contains(CONSUMER_HEADER) && result.find()) {
            List<String> names = Arrays.asList(CONSUMER_HEADER.split(", "));
            List<String> values = Arrays.asList(result.group().split(", "));
            long consumed = Long.parseLong(values.get(names.indexOf("data.consumed.in.nMsg")));
            if (consumed == records) {
                return new Throughput(
                        consumed,
                        Double.parseDouble(values.get(names.indexOf("fetch.nMsg.sec"))),
                        Double.parseDouble(values.get(names.indexOf("fetch.MB.sec"))));
            }
        }
        throw new IllegalStateException(
                "ConsumerPerformance did not report " + records + " records" + tool.outputTail());
    }
}
