package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.Closeable;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * The {@link SchemaRegistryClient} of a serializable coder or decoder: shipped to the tasks as its settings, and
 * made on first use on the task, never on the client that builds the job.
 */
final class LazySchemaRegistryClient implements Serializable, Closeable {

    private static final long serialVersionUID = 1L;

    private final SchemaRegistrySettings settings;

    @Nullable
    private transient volatile SchemaRegistryClient client;

    @Nullable
    private transient volatile SchemaRegistryListener listener;

    LazySchemaRegistryClient(SchemaRegistrySettings settings) {
        this.settings = checkNotNull(settings, "settings");
    }

    SchemaRegistryClient get() {
        SchemaRegistryClient current = client;
        if (current == null) {
            synchronized (this) {
                current = client;
                if (current == null) {
                    current = SchemaRegistryClient.create(settings);
                    SchemaRegistryListener currentListener = listener;
                    if (currentListener != null) {
                        current.setListener(currentListener);
                    }
                    client = current;
                }
            }
        }
        return current;
    }

    /** Reports the client's requests and cache hits to {@code listener}, now or once it is made. */
    synchronized void setListener(SchemaRegistryListener listener) {
        this.listener = checkNotNull(listener, "listener");
        SchemaRegistryClient current = client;
        if (current != null) {
            current.setListener(listener);
        }
    }

    SchemaRegistrySettings settings() {
        return settings;
    }

    /** Closes the client, if one was made, and forgets it; a later use makes a new one. */
    @Override
    public void close() {
        SchemaRegistryClient current;
        synchronized (this) {
            current = client;
            client = null;
        }
        if (current != null) {
            current.close();
        }
    }
}
