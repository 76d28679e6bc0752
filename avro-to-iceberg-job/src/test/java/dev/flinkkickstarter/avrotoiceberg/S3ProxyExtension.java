package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.testing.ChildProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for the tests of one class: S3Proxy ({@code local-runtime/s3proxy}) in its
 * own JVM on a free loopback port, with a filesystem backend in a temporary directory and one
 * bucket, {@value #BUCKET}. Writes must be signed (AWS signature v2 or v4) with {@link
 * #ACCESS_KEY}/{@link #SECRET_KEY}, as on real S3.
 */
final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

    /** System property naming S3Proxy's {@code lib/} directory; the module's POM sets it for Failsafe. */
    static final String LIB_DIR_PROPERTY = "s3proxy.lib";
    /** The logback configuration next to it (S3Proxy logs every request at DEBUG by default). */
    static final String LOGBACK_PROPERTY = "s3proxy.logback";

    static final String BUCKET = "warehouse";
    static final String ACCESS_KEY = "kickstarter";
    static final String SECRET_KEY = "kickstarter-test-only";
    static final String REGION = "us-east-1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern LISTENING = Pattern.compile("Started ServerConnector@.*\\{(127\\.0\\.0\\.1:\\d+)}");

    private ChildProcess server;
    private Path backend;
    private String endpoint;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        backend = Files.createTempDirectory("s3proxy");
        // With the filesystem backend every directory under the base directory is a bucket.
        Files.createDirectory(backend.resolve(BUCKET));
        Path properties = Files.writeString(
                backend.resolveSibling(backend.getFileName() + ".properties"),
                String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:0",
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem-nio2",
                        // Required by S3Proxy, unused by the filesystem backend.
                        "jclouds.identity=local",
                        "jclouds.credential=local",
                        "jclouds.filesystem.basedir=" + backend,
                        ""));
        server = ChildProcess.java("s3proxy", "org.gaul.s3proxy.Main")
                .classpath(LocalRuntimeLib.classpath(LIB_DIR_PROPERTY, "local-runtime/s3proxy"))
                .jvmOptions("-Xmx256m", "-Dlogback.configurationFile=" + System.getProperty(LOGBACK_PROPERTY))
                .arguments("--properties", properties.toString())
                .start();
        endpoint = "http://" + server.awaitOutput(LISTENING, STARTUP_TIMEOUT).group(1);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            FileUtils.deleteDirectory(backend.toFile());
            Files.deleteIfExists(backend.resolveSibling(backend.getFileName() + ".properties"));
        }
    }

    /** The server's address, e.g. {@code http://127.0.0.1:41234}: Iceberg's {@code s3.endpoint}. */
    String endpoint() {
        return endpoint;
    }

    /**
     * Iceberg's {@code S3FileIO} properties for this server: path-style requests (the bucket is not a
     * host name here), static credentials, a region.
     */
    Map<String, String> fileIoProperties() {
        return Map.of(
                "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
                "s3.endpoint", endpoint,
                "s3.path-style-access", "true",
                "s3.access-key-id", ACCESS_KEY,
                "s3.secret-access-key", SECRET_KEY,
                "client.region", REGION);
    }

    /**
     * The AWS SDK's environment for clients of this server in other JVMs: checksums only where S3
     * requires them. The SDK (since 2.30) otherwise adds CRC checksums in a trailer to every upload, which
     * S3Proxy rejects ("x-amz-content-sha256 header does not match"); this JVM gets the same through the
     * system properties the module's POM sets.
     */
    static Map<String, String> clientEnvironment() {
        return Map.of(
                "AWS_REQUEST_CHECKSUM_CALCULATION", "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
    }

    /** A plain AWS SDK client of this server, to look at the bucket as any S3 user would. */
    S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
