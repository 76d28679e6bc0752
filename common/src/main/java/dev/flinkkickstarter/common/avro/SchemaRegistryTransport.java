package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to the Schema Registry: sends a request to each configured URL in turn, retries connect errors,
 * timeouts, 429 and 5xx with exponential backoff within the retry budget, and turns answers that are
 * failures into {@link SchemaRegistryException}s that name the URL (never the credentials) and what to do.
 */
final class SchemaRegistryTransport implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryTransport.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/json";
    /** Registry error messages are quoted in ours; a misconfigured proxy may answer with a whole HTML page. */
    private static final int MAX_QUOTED_BODY_CHARS = 300;

    private static final ThreadFactory HTTP_THREADS = runnable -> {
        Thread thread = new Thread(runnable, "schema-registry-http");
        thread.setDaemon(true); // never keeps a JVM alive
        return thread;
    };

    private final SchemaRegistrySettings settings;
    private final HttpClient http;
    /** The HTTP client's threads, ours so that {@link #close()} can stop them (Java 17's HttpClient has no close). */
    private final ExecutorService httpExecutor;

    private volatile SchemaRegistryListener listener = SchemaRegistryListener.NONE;
    private volatile boolean closed;

    SchemaRegistryTransport(SchemaRegistrySettings settings) {
        this.settings = checkNotNull(settings, "settings");
        this.httpExecutor = Executors.newCachedThreadPool(HTTP_THREADS);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeouts().connect())
                .executor(httpExecutor)
                .build();
    }

    void setListener(SchemaRegistryListener listener) {
        this.listener = checkNotNull(listener, "listener");
    }

    /** The registry base URLs, without credentials: safe to print. */
    List<URI> urls() {
        return settings.urls();
    }

    /**
     * Sends the request to each URL in turn, retrying connect errors, timeouts, 429 and 5xx with backoff. A 404
     * is only the answer once every URL has been asked: one registry node (or a URL pointing at the wrong
     * registry) not knowing something does not make it unknown. URLs that stay unreachable do not hold up a 404
     * from the others.
     *
     * @throws SchemaRegistryException the registry stayed unreachable or overloaded through the retry budget
     */
    Response send(String method, String path, @Nullable String body) throws IOException {
        String what = method + " " + path;
        List<URI> baseUrls = settings.urls();
        if (closed) {
            throw new IOException("Schema Registry client " + baseUrls + " is closed; cannot send " + what);
        }
        int maxRetries = settings.retries().maxRetries();
        Response lastRetryableResponse = null;
        IOException lastIoError = null;
        URI lastIoErrorUrl = null;
        for (int attempt = 0; ; attempt++) {
            Response notFound = null;
            for (URI baseUrl : baseUrls) {
                HttpRequest request = request(baseUrl, method, path, body);
                long start = System.nanoTime();
                try {
                    HttpResponse<String> httpResponse =
                            http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    listener.registryCall(httpResponse.statusCode(), System.nanoTime() - start);
                    Response response = new Response(baseUrl, httpResponse.statusCode(), httpResponse.body());
                    if (response.status() == 404) {
                        notFound = response;
                        continue;
                    }
                    if (!isRetryable(response.status())) {
                        return response;
                    }
                    lastRetryableResponse = response;
                    lastIoError = null;
                    LOG.warn("Schema Registry at {} answered HTTP {} to {}", baseUrl, response.status(), what);
                } catch (IOException e) {
                    listener.registryCall(SchemaRegistryException.NO_HTTP_STATUS, System.nanoTime() - start);
                    lastIoError = e;
                    lastIoErrorUrl = baseUrl;
                    LOG.warn("Schema Registry at {} not reachable for {}: {}", baseUrl, what, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted during Schema Registry request " + what);
                }
            }
            if (notFound != null) {
                return notFound;
            }
            if (attempt >= maxRetries) {
                break;
            }
            long waitMs = backoffMillis(attempt);
            LOG.info(
                    "Retrying Schema Registry request {} in {} ms (retry {} of {})",
                    what,
                    waitMs,
                    attempt + 1,
                    maxRetries);
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while waiting to retry Schema Registry request " + what);
            }
        }
        int attempts = maxRetries + 1;
        if (lastIoError != null) {
            throw new SchemaRegistryException(
                    "Schema Registry not reachable at " + (baseUrls.size() == 1 ? lastIoErrorUrl : baseUrls) + " for "
                            + what + " after " + attempts + " attempt(s): " + lastIoError + ". " + budgetSpent(),
                    SchemaRegistryException.NO_HTTP_STATUS,
                    lastIoError);
        }
        throw new SchemaRegistryException(
                "Schema Registry at " + lastRetryableResponse.url() + " answered HTTP " + lastRetryableResponse.status()
                        + " to " + what + " after " + attempts + " attempt(s): "
                        + lastRetryableResponse.registryMessage() + ". " + budgetSpent(),
                lastRetryableResponse.status());
    }

    /**
     * The failure an answer that is neither success nor an expected refusal stands for: rejected credentials
     * say which setting to check, anything else quotes the registry.
     */
    SchemaRegistryException failure(Response response, String what) {
        int status = response.status();
        if (status == 401 || status == 403) {
            String hint = settings.authorizationHeader().isEmpty()
                    ? "no credentials are configured: set " + SchemaRegistrySettings.CREDENTIALS_SOURCE
                            + "=USER_INFO and " + SchemaRegistrySettings.USER_INFO + "=KEY:SECRET"
                    : "check " + SchemaRegistrySettings.USER_INFO + " (or the credentials in the URL)";
            return new SchemaRegistryException(
                    "Schema Registry credentials rejected by " + response.url() + " (HTTP " + status + ") while " + what
                            + ": " + hint,
                    status);
        }
        return new SchemaRegistryException(
                "Schema Registry at " + response.url() + " answered HTTP " + status + " while " + what + ": "
                        + response.registryMessage(),
                status);
    }

    /**
     * Stops the HTTP client's worker threads; later requests fail. The JDK closes the client's connections and
     * its selector thread once the client is unreachable, so whoever holds this transport must drop it too.
     */
    @Override
    public void close() {
        closed = true;
        httpExecutor.shutdownNow();
    }

    private String budgetSpent() {
        return "The retry budget (" + settings.retries()
                + ") is spent: failing, so the job's restart strategy decides whether to try again";
    }

    private HttpRequest request(URI baseUrl, String method, String path, @Nullable String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(settings.timeouts().read())
                .header("Accept", ACCEPT);
        settings.authorizationHeader().ifPresent(header -> builder.header("Authorization", header));
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    private long backoffMillis(int attempt) {
        long exponential = settings.retries().waitMs() << Math.min(attempt, 20);
        return Math.min(exponential, settings.retries().maxWaitMs());
    }

    private static boolean isRetryable(int status) {
        return status == 429 || status >= 500;
    }

    static String abbreviate(String text) {
        return text.length() <= MAX_QUOTED_BODY_CHARS ? text : text.substring(0, MAX_QUOTED_BODY_CHARS) + "...";
    }

    /** One registry answer: the base URL that gave it, its status and its body. */
    record Response(URI url, int status, String body) {

        JsonNode json() throws SchemaRegistryException {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException(
                        "Schema Registry at " + url + " answered HTTP " + status + " with a body that is not JSON: "
                                + quotedBody(),
                        status);
            }
        }

        /** The registry's {@code message}, or the start of the body if it is not a registry error. */
        String registryMessage() {
            try {
                JsonNode message = JSON.readTree(body).get("message");
                if (message != null && message.isTextual()) {
                    return abbreviate(message.asText());
                }
            } catch (JsonProcessingException e) {
                // Not JSON (a proxy's HTML page, say): quote the body itself.
            }
            return quotedBody();
        }

        String quotedBody() {
            return body == null || body.isBlank() ? "(empty body)" : abbreviate(body.strip());
        }
    }
}
