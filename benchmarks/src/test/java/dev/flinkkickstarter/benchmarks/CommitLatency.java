package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkState;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * End-to-end latency of committed rows: for every row, the time from its Kafka record's timestamp (the {@code
 * kafka_timestamp} lineage column) to the commit of the snapshot that added it (the snapshot's timestamp, Iceberg's
 * {@code committed-at}), the moment the row becomes visible to readers.
 */
final class CommitLatency {

    private static final String KAFKA_TIMESTAMP = "kafka_timestamp";

    /** Latencies in ms, in the order of their rows' Kafka timestamps. */
    private final long[] latencies;

    private final long[] kafkaTimestamps;

    private CommitLatency(long[] kafkaTimestamps, long[] latencies) {
        this.kafkaTimestamps = kafkaTimestamps;
        this.latencies = latencies;
    }

    /** Reads every appended row's Kafka timestamp, snapshot by snapshot, from the tables in a Hadoop catalog. */
    static CommitLatency of(String warehouse, Collection<TableIdentifier> tables) throws IOException {
        LongPairs pairs = new LongPairs();
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse)) {
            for (TableIdentifier identifier : tables) {
                Table table = catalog.loadTable(identifier);
                for (Snapshot snapshot : table.snapshots()) {
                    if (!DataOperations.APPEND.equals(snapshot.operation())) {
                        continue;
                    }
                    IcebergGenerics.ScanBuilder scan =
                            IcebergGenerics.read(table).select(KAFKA_TIMESTAMP);
                    scan = snapshot.parentId() == null
                            ? scan.useSnapshot(snapshot.snapshotId())
                            : scan.appendsBetween(snapshot.parentId(), snapshot.snapshotId());
                    try (CloseableIterable<Record> rows = scan.build()) {
                        for (Record row : rows) {
                            long kafkaTimestamp = ((OffsetDateTime) row.getField(KAFKA_TIMESTAMP))
                                    .toInstant()
                                    .toEpochMilli();
                            pairs.add(kafkaTimestamp, snapshot.timestampMillis() - kafkaTimestamp);
                        }
                    }
                }
            }
        }
        checkState(pairs.size > 0, "No committed rows in %s", tables);
        return pairs.sortedByFirst();
    }

    long rows() {
        return latencies.length;
    }

    /**
     * The rows whose Kafka timestamps are at least {@code warmUp} after the first record's: what a job that has run
     * for a while shows, without its start (class loading and JIT compilation, while it catches up on what arrived
     * meanwhile).
     */
    CommitLatency after(Duration warmUp) {
        long from = kafkaTimestamps[0] + warmUp.toMillis();
        int index = 0;
        while (index < kafkaTimestamps.length && kafkaTimestamps[index] < from) {
            index++;
        }
        checkState(index < kafkaTimestamps.length, "No rows later than the first one + %s", warmUp);
        return new CommitLatency(
                Arrays.copyOfRange(kafkaTimestamps, index, kafkaTimestamps.length),
                Arrays.copyOfRange(latencies, index, latencies.length));
    }

    /** The {@code quantile} (0..1) of the latencies in ms, nearest rank. */
    long percentile(double quantile) {
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    long max() {
        return Arrays.stream(latencies).max().orElseThrow();
    }

    /**
     * A PNG of p50, p99 and max latency per second of Kafka time since the first record, with the p99 target as a
     * horizontal line and the end of the warm-up as a vertical one.
     */
    void plot(Path png, String title, double targetSeconds, Duration warmUp) throws IOException {
        Map<Long, long[]> perSecond = new TreeMap<>();
        long first = kafkaTimestamps[0];
        int from = 0;
        while (from < latencies.length) {
            long second = (kafkaTimestamps[from] - first) / 1000;
            int to = from;
            while (to < latencies.length && (kafkaTimestamps[to] - first) / 1000 == second) {
                to++;
            }
            long[] window = Arrays.copyOfRange(latencies, from, to);
            Arrays.sort(window);
            perSecond.put(second, window);
            from = to;
        }
        XYSeries p50 = new XYSeries("p50");
        XYSeries p99 = new XYSeries("p99");
        XYSeries max = new XYSeries("max");
        perSecond.forEach((second, window) -> {
            p50.add(second.doubleValue(), window[(window.length - 1) / 2] / 1000.0);
            p99.add(second.doubleValue(), window[(int) Math.ceil(0.99 * window.length) - 1] / 1000.0);
            max.add(second.doubleValue(), window[window.length - 1] / 1000.0);
        });
        XYSeriesCollection series = new XYSeriesCollection();
        series.addSeries(max);
        series.addSeries(p99);
        series.addSeries(p50);
        JFreeChart chart = ChartFactory.createXYLineChart(
                title,
                "Kafka record time, seconds since the first record",
                "latency to the commit that made the row visible, s",
                series,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ValueMarker target = new ValueMarker(targetSeconds, Color.GRAY, new BasicStroke(1.5f));
        target.setLabel("p99 target");
        target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(target);
        ValueMarker measured = new ValueMarker(warmUp.toSeconds(), Color.GRAY, new BasicStroke(1.5f));
        measured.setLabel("warm-up ends");
        measured.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        measured.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addDomainMarker(measured);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 500);
    }

    /** Growable parallel arrays of (Kafka timestamp, latency), sorted by timestamp at the end. */
    private static final class LongPairs {
        private long[] firsts = new long[1 << 16];
        private long[] seconds = new long[1 << 16];
        private int size;

        void add(long first, long second) {
            if (size == firsts.length) {
                firsts = Arrays.copyOf(firsts, size * 2);
                seconds = Arrays.copyOf(seconds, size * 2);
            }
            firsts[size] = first;
            seconds[size] = second;
            size++;
        }

        CommitLatency sortedByFirst() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(firsts[a], firsts[b]));
            long[] timestamps = new long[size];
            long[] latencies = new long[size];
            for (int i = 0; i < size; i++) {
                timestamps[i] = firsts[order[i]];
                latencies[i] = seconds[order[i]];
            }
            return new CommitLatency(timestamps, latencies);
        }
    }
}
