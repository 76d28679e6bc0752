package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.testing.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Iceberg's REST catalog server ({@code local-runtime/iceberg-rest-catalog}) in its own JVM on a
 * free loopback port, for the tests of one class: with a warehouse in a local temporary directory,
 * or ({@link #onS3}) in an S3 bucket that the server writes through Iceberg's {@code S3FileIO}.
 */
final class IcebergRestCatalogExtension implements BeforeAllCallback, AfterAllCallback {

    /** System property naming the server's {@code lib/} directory; the module's POM sets it for Failsafe. */
    static final String LIB_DIR_PROPERTY = "iceberg.rest.catalog.lib";

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://127\\.0\\.0\\.1:\\d+/)");

    private final S3ProxyExtension s3;
    private ChildProcess server;
    private Path warehouse;
    private String uri;

    IcebergRestCatalogExtension() {
        this(null);
    }

    private IcebergRestCatalogExtension(S3ProxyExtension s3) {
        this.s3 = s3;
    }

    /**
     * A catalog whose warehouse is {@code s3://}{@value S3ProxyExtension#BUCKET}{@code /} on {@code s3},
     * which must be registered (started) before this extension.
     */
    static IcebergRestCatalogExtension onS3(S3ProxyExtension s3) {
        return new IcebergRestCatalogExtension(s3);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Map<String, String> environment = new HashMap<>();
        environment.put("CATALOG_REST_PORT", "0");
        if (s3 == null) {
            warehouse = Files.createTempDirectory("iceberg-rest-warehouse");
            environment.put("CATALOG_WAREHOUSE", warehouse.toUri().toString());
        } else {
            environment.put("CATALOG_WAREHOUSE", "s3://" + S3ProxyExtension.BUCKET + "/");
            s3.fileIoProperties().forEach((property, value) -> environment.put(variableName(property), value));
            environment.putAll(S3ProxyExtension.clientEnvironment());
        }
        server = ChildProcess.java("iceberg-rest-catalog", "dev.flinkkickstarter.localruntime.IcebergRestCatalogServer")
                .classpath(LocalRuntimeLib.classpath(LIB_DIR_PROPERTY, "local-runtime/iceberg-rest-catalog"))
                .jvmOptions("-Xmx256m")
                .environment(environment)
                .start();
        uri = server.awaitOutput(LISTENING, STARTUP_TIMEOUT).group(1);
    }

    /** The server's naming ({@code CATALOG_S3_PATH__STYLE__ACCESS} for {@code s3.path-style-access}). */
    private static String variableName(String property) {
        return "CATALOG_" + property.replace("-", "__").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** The catalog's base URI, e.g. {@code http://127.0.0.1:41234/}: the REST catalog's {@code uri}. */
    String uri() {
        return uri;
    }

    /** Where the server keeps tables when not on S3; the job's writers put data files there too. */
    Path warehouse() {
        if (warehouse == null) {
            throw new IllegalStateException("This catalog's warehouse is in S3, not in a local directory");
        }
        return warehouse;
    }
}
