package dev.flinkkickstarter.iceberg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Iceberg's REST catalog server ({@code local-runtime/iceberg-rest-catalog}) in its own JVM on a
 * free loopback port, for the tests of one class. Its own JVM because it runs unshaded Iceberg
 * classes, which would clash with the job's {@code iceberg-flink-runtime}.
 */
final class IcebergRestCatalogExtension implements BeforeAllCallback, AfterAllCallback {

    /** System property naming the server's {@code lib/} directory; the module's POM sets it for Failsafe. */
    static final String LIB_DIR_PROPERTY = "iceberg.rest.catalog.lib";

    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://127\\.0\\.0\\.1:\\d+/)");
    private static final long STARTUP_TIMEOUT_SECONDS = 120;

    private Process server;
    private Path warehouse;
    private String uri;
    private final List<String> output = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String lib = System.getProperty(LIB_DIR_PROPERTY);
        if (lib == null || !Files.isDirectory(Paths.get(lib))) {
            throw new IllegalStateException("System property " + LIB_DIR_PROPERTY + " must name the REST catalog's"
                    + " lib directory (built by local-runtime/iceberg-rest-catalog), but is " + lib);
        }
        warehouse = Files.createTempDirectory("iceberg-rest-warehouse");
        ProcessBuilder builder = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-Xmx256m",
                        "-cp",
                        lib + "/*",
                        "dev.flinkkickstarter.localruntime.IcebergRestCatalogServer")
                .redirectErrorStream(true);
        builder.environment().put("CATALOG_REST_PORT", "0");
        builder.environment().put("CATALOG_WAREHOUSE", warehouse.toUri().toString());
        server = builder.start();
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(listening), "iceberg-rest-catalog-output");
        reader.setDaemon(true);
        reader.start();
        try {
            uri = listening.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            afterAll(context);
            throw new IllegalStateException(
                    "The Iceberg REST catalog did not start within " + STARTUP_TIMEOUT_SECONDS + " s; its output: "
                            + outputSoFar(),
                    e);
        }
    }

    private void readOutput(CompletableFuture<String> listening) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    listening.complete(matcher.group(1));
                }
            }
            listening.completeExceptionally(
                    new IllegalStateException("The Iceberg REST catalog exited: " + outputSoFar()));
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
    }

    private String outputSoFar() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** The catalog's base URI, e.g. {@code http://127.0.0.1:41234/}: the REST catalog's {@code uri}. */
    String uri() {
        return uri;
    }

    /** Where the server keeps tables; the job's writers put data files there too. */
    Path warehouse() {
        return warehouse;
    }
}
