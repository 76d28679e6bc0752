package dev.flinkkickstarter.datagen;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * A Kafka partitioner (installed with {@code --producer.partitioner.class}) that partitions by key like
 * Kafka's default, and fails the sending task at chosen record counts: a crash in the middle of a
 * checkpoint interval, after records were sent but before the checkpoint that would cover them. Before
 * failing it waits a moment, so the producer has delivered what it sent: at-least-once then shows the
 * replayed records twice, exactly-once must not. State is static because the MiniCluster runs every
 * producer in this JVM.
 */
public class FailingPartitioner implements Partitioner {

    /** Lets the producer's I/O thread deliver the batches sent so far (local broker: milliseconds). */
    private static final long DELIVERY_GRACE_MS = 500;

    private static final AtomicLong SENT = new AtomicLong();
    private static final ConcurrentLinkedQueue<Long> FAIL_AT = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger FAILURES = new AtomicInteger();

    /** Fails once at each of {@code sendCounts} (counted over all producers, in ascending order). */
    static void failAt(List<Long> sendCounts) {
        SENT.set(0);
        FAILURES.set(0);
        FAIL_AT.clear();
        FAIL_AT.addAll(sendCounts);
    }

    /** Failures injected since {@link #failAt}. */
    static int failures() {
        return FAILURES.get();
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        long sent = SENT.incrementAndGet();
        Long next = FAIL_AT.peek();
        if (next != null && sent >= next && FAIL_AT.remove(next)) {
            FAILURES.incrementAndGet();
            try {
                Thread.sleep(DELIVERY_GRACE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Injected failure at record " + sent);
        }
        int partitions = cluster.partitionsForTopic(topic).size();
        return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public void close() {}
}
