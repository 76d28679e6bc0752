package dev.flinkkickstarter.common.kafka;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.Secrets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the broker's {@code transaction.max.timeout.ms}, the largest {@code transaction.timeout.ms} a
 * transactional producer may ask for (a producer asking more fails to start with {@code
 * InvalidTxnTimeoutException}, on every restart). Best effort: a broker that cannot be reached in
 * time, or that does not let this principal describe its configuration (Confluent Cloud), yields
 * empty and a warning.
 */
public final class BrokerTransactionLimit {

    public static final String TRANSACTION_MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    /** How long job start-up waits for the broker's answer before going on without it. */
    public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTransactionLimit.class);

    /** Client settings an admin client shares with a producer: where the cluster is, how to reach it. */
    private static final Set<String> NON_CONNECTION_PROPERTIES = Set.of(
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private BrokerTransactionLimit() {}

    /** The broker's {@code transaction.max.timeout.ms}, or empty when it cannot be read within {@code timeout}. */
    public static Optional<Duration> lookup(Properties producerProperties, Duration timeout) {
        checkNotNull(producerProperties, "producerProperties");
        checkNotNull(timeout, "timeout");
        Properties admin = new Properties();
        producerProperties.forEach((key, value) -> {
            if (!NON_CONNECTION_PROPERTIES.contains(String.valueOf(key))) {
                admin.put(key, value);
            }
        });
        String ms = Long.toString(timeout.toMillis());
        admin.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        admin.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        admin.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "transaction-limit-check");
        // Producer-only keys would make the admin client log "unknown configuration" warnings; harmless.
        try (Admin client = Admin.create(admin)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Collection<Node> nodes = client.describeCluster().nodes().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                return Optional.empty();
            }
            ConfigResource broker = new ConfigResource(
                    ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            Map<ConfigResource, Config> configs = client.describeConfigs(
                            List.of(broker), new DescribeConfigsOptions().timeoutMs((int) remainingMs(deadline)))
                    .all()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            ConfigEntry entry = configs.get(broker).get(TRANSACTION_MAX_TIMEOUT_MS);
            if (entry == null || entry.value() == null) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(Long.parseLong(entry.value())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn(
                    "Could not read the broker's {} within {} ({}); transaction timeouts are not checked against it",
                    TRANSACTION_MAX_TIMEOUT_MS,
                    timeout,
                    Secrets.redact(cause.toString()));
            return Optional.empty();
        }
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
