package dev.flinkkickstarter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real schema registry speaking the Confluent REST API — Apicurio Registry, built by the {@code
 * local-runtime/schema-registry} module — started in its own JVM for the tests of one class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension().withBasicAuth("key", "secret");
 *
 * SchemaRegistrySettings settings = SchemaRegistrySettings.of(REGISTRY.clientProperties());
 * }</pre>
 *
 * <p>Register it in a {@code static} field: the registry starts before the first test of the class and stops
 * after the last one (and at JVM exit at the latest). It listens on a free loopback port, keeps schemas in
 * memory, and applies global {@code BACKWARD} compatibility like a Confluent registry. Clients talk to it
 * through a {@link CountingHttpProxy} ({@link #requestCount()}), so tests can prove caching.
 *
 * <p>Differences from Confluent's registry that tests may notice: schema ids start at 1, and schema text is not
 * normalised (the same schema with other whitespace gets a new id).
 *
 * <p>The registry app is located through the system property {@value #APP_DIR_PROPERTY}, which the parent POM
 * sets for Surefire and Failsafe; outside Maven, the directory is searched for upwards from the working
 * directory.
 */
public final class SchemaRegistryExtension implements BeforeAllCallback, AfterAllCallback {

    /** System property naming the directory that holds the registry's runner jar and lib/. */
    public static final String APP_DIR_PROPERTY = "schema.registry.app.dir";

    /** Path of the Confluent-compatible API on an Apicurio registry. */
    public static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";

    private static final String RUNNER_JAR = "apicurio-registry-runner.jar";
    private static final Path APP_DIR_IN_REPOSITORY =
            Paths.get("local-runtime", "schema-registry", "target", "schema-registry-app");
    // Generous: on a two-core machine under heavy load the registry took up to 16 s to start (2-4 s when idle).
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");

    private String user;
    private String password;

    private String globalCompatibility = "BACKWARD";
    private ChildProcess registry;
    private CountingHttpProxy proxy;

    /**
     * Requires HTTP basic authentication with this user and password for the registry's APIs. Call before the
     * extension starts (i.e. where it is registered).
     */
    public SchemaRegistryExtension withBasicAuth(String user, String password) {
        if (registry != null) {
            throw new IllegalStateException("Basic auth must be configured before the registry starts");
        }
        if (user == null || user.isEmpty() || user.contains(":") || user.contains("=")) {
            throw new IllegalArgumentException("The basic auth user must be non-empty without ':' or '='");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("The basic auth password must be non-empty");
        }
        this.user = user;
        this.password = password;
        return this;
    }

    /**
     * The registry-wide compatibility rule ({@code BACKWARD} unless set), e.g. {@code NONE} for tests that register
     * versions a registry would refuse (Apicurio falls back to the global rule when a subject's is set to {@code
     * NONE}). Call before the extension starts.
     */
    public SchemaRegistryExtension withGlobalCompatibility(String level) {
        if (registry != null) {
            throw new IllegalStateException("The global compatibility must be configured before the registry starts");
        }
        this.globalCompatibility = Objects.requireNonNull(level, "level");
        return this;
    }

    /** Starts the registry and the counting proxy in front of it. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        try {
            startRegistry();
            proxy = CountingHttpProxy.start(awaitReady());
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    /** Stops the proxy and the registry process. */
    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /**
     * The registry's Confluent API base URL, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}: the value of a
     * Confluent client's {@code schema.registry.url}.
     */
    public String url() {
        return "http://127.0.0.1:" + started().port() + CONFLUENT_API_PATH;
    }

    /**
     * Confluent client properties for this registry: {@code schema.registry.url} and, with basic auth, {@code
     * basic.auth.credentials.source=USER_INFO} and {@code basic.auth.user.info}.
     */
    public Map<String, String> clientProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("schema.registry.url", url());
        if (user != null) {
            properties.put("basic.auth.credentials.source", "USER_INFO");
            properties.put("basic.auth.user.info", user + ":" + password);
        }
        return properties;
    }

    /** The number of HTTP requests clients have sent to {@link #url()} since the start or the last reset. */
    public int requestCount() {
        return started().requestCount();
    }

    /** Restarts {@link #requestCount()} from zero. */
    public void resetRequestCount() {
        started().resetRequestCount();
    }

    private void startRegistry() throws IOException {
        Path appDir = locateApp();
        List<String> jvmOptions = new ArrayList<>(List.of(
                "-Xmx128m",
                "-XX:+UseSerialGC",
                // C1 only: starts 2-3x faster on a busy machine (12-16 s instead of 37 s); tests need no peak speed.
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                // Port 0: the registry picks a free port and logs it, so parallel builds never collide.
                "-Dquarkus.http.port=0"));
        if (user != null) {
            jvmOptions.add("-Dquarkus.security.users.embedded.users." + user + "=" + password);
        }
        registry = ChildProcess.javaJar("schema registry", appDir.resolve(RUNNER_JAR))
                .jvmOptions(jvmOptions)
                .directory(appDir)
                .environment(Map.of("REGISTRY_RULES_GLOBAL_COMPATIBILITY", globalCompatibility))
                .start();
    }

    /** Waits for the registry to log its port and report ready; returns its base URI. */
    private URI awaitReady() throws IOException, InterruptedException {
        long started = System.nanoTime();
        String port = registry.awaitOutput(LISTENING, STARTUP_TIMEOUT).group(1);
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        registry.awaitReady(
                base + "/health/ready answering 200",
                () -> isReady(client, base),
                STARTUP_TIMEOUT.minusNanos(System.nanoTime() - started));
        return base;
    }

    private static boolean isReady(HttpClient client, URI base) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYetListening) {
            return false;
        }
    }

    private void stop() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    private static Path locateApp() {
        String configured = System.getProperty(APP_DIR_PROPERTY);
        Path appDir = configured != null ? Paths.get(configured) : searchUpwards();
        if (appDir == null || !Files.isRegularFile(appDir.resolve(RUNNER_JAR))) {
            throw new IllegalStateException("The schema registry app is not built"
                    + (appDir != null ? " (no " + appDir.resolve(RUNNER_JAR) + ")" : "")
                    + ": run ./mvnw verify (or ./mvnw -pl <module> -am verify) from the repository root; the"
                    + " local-runtime/schema-registry module builds it. Outside Maven, set -D" + APP_DIR_PROPERTY
                    + " to its target/schema-registry-app directory.");
        }
        return appDir;
    }

    private static Path searchUpwards() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(APP_DIR_IN_REPOSITORY).resolve(RUNNER_JAR))) {
                return dir.resolve(APP_DIR_IN_REPOSITORY);
            }
        }
        return null;
    }

    private CountingHttpProxy started() {
        if (proxy == null) {
            throw new IllegalStateException(
                    "The schema registry is not running: register SchemaRegistryExtension in a static field with"
                            + " @RegisterExtension and use it from tests (it runs from beforeAll to afterAll)");
        }
        return proxy;
    }
}
