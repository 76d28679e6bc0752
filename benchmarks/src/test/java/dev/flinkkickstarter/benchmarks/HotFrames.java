package dev.flinkkickstarter.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}) fall: the hottest top frames (self
 * time), the hottest frames of our own code (on the stack at all), and how many samples pass through
 * packages that point at fixable waste (Kryo fallback, registry calls, reflection-based Avro).
 */
final class HotFrames {

    private static final String OUR_PACKAGE = "dev.flinkkickstarter.";
    private static final Map<String, String> WATCHED = watched();

    private final String name;
    private final long samples;
    private final Map<String, Long> self;
    private final Map<String, Long> ours;
    private final Map<String, Long> watched;

    private HotFrames(
            String name, long samples, Map<String, Long> self, Map<String, Long> ours, Map<String, Long> watched) {
        this.name = name;
        this.samples = samples;
        this.self = self;
        this.ours = ours;
        this.watched = watched;
    }

    private static Map<String, String> watched() {
        Map<String, String> watched = new LinkedHashMap<>();
        watched.put("Kryo (generic-type fallback)", "com.esotericsoftware.kryo.");
        watched.put("our schema registry client", "dev.flinkkickstarter.common.avro.SchemaRegistry");
        watched.put("Avro reflection", "org.apache.avro.reflect.");
        watched.put("Avro specific/generic datum code", "org.apache.avro.");
        watched.put("Kafka producer", "org.apache.kafka.clients.producer.");
        watched.put("Kafka consumer", "org.apache.kafka.clients.consumer.");
        watched.put("Iceberg", "org.apache.iceberg.");
        watched.put("Parquet", "org.apache.parquet.");
        watched.put("Flink network / serialization", "org.apache.flink.runtime.io.network.");
        return watched;
    }

    static HotFrames of(String name, Path recording) throws IOException {
        long samples = 0;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> ours = new HashMap<>();
        Map<String, Long> watched = new LinkedHashMap<>();
        WATCHED.keySet().forEach(label -> watched.put(label, 0L));
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                self.merge(method(frames.get(0)), 1L, Long::sum);
                Set<String> onStack = frames.stream().map(HotFrames::method).collect(Collectors.toSet());
                onStack.stream()
                        .filter(method -> method.startsWith(OUR_PACKAGE))
                        .forEach(method -> ours.merge(method, 1L, Long::sum));
                WATCHED.forEach((label, prefix) -> {
                    if (onStack.stream().anyMatch(method -> method.startsWith(prefix))) {
                        watched.merge(label, 1L, Long::sum);
                    }
                });
            }
        }
        return new HotFrames(name, samples, self, ours, watched);
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** A plain-text summary: the top {@code limit} self frames and our own frames, and the watched packages. */
    String describe(int limit) {
        StringBuilder text = new StringBuilder();
        text.append(String.format("Profile of %s: %d CPU samples (jdk.ExecutionSample)%n", name, samples));
        text.append("  Top frames (self):\n");
        appendTop(text, self, limit);
        text.append("  Our code on the stack (inclusive):\n");
        appendTop(text, ours, limit);
        text.append("  Samples passing through:\n");
        watched.forEach((label, count) -> text.append(String.format("    %5.1f%%  %s%n", percent(count), label)));
        return text.toString();
    }

    private void appendTop(StringBuilder text, Map<String, Long> counts, int limit) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(entry ->
                        text.append(String.format("    %5.1f%%  %s%n", percent(entry.getValue()), entry.getKey())));
    }

    private double percent(long count) {
        return samples == 0 ? 0 : 100.0 * count / samples;
    }
}
