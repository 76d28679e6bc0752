package dev.flinkkickstarter.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkkickstarter.localruntime.IcebergWarehouse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's local runtime (Kafka, schema registry, Flink session cluster, and in its S3 shape an S3 API
 * server with an Iceberg REST catalog), run the way a user runs it:
 * {@code scripts/local-stack.sh} starts it on free ports in a state dir of its own, {@code
 * scripts/submit-job.sh} submits the fat jars with {@code flink run -d}, {@code scripts/local-stack.sh
 * stop} stops every process after the last test. A failed test gets the tail of every log attached.
 */
final class LocalStackExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStackExtension.class);

    private static final Pattern SUBMITTED_JOB_ID = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(2);
    private static final int LOG_TAIL_LINES = 60;

    private final Path repositoryRoot;
    private final Path stateDir;
    private final Path scriptOutputDir;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger scriptRuns = new AtomicInteger();
    private int kafkaPort;
    private int flinkRestPort;
    private int registryPort;
    private int s3Port;
    private int restCatalogPort;

    private LocalStackExtension(Path repositoryRoot, Path stateDir) {
        this.repositoryRoot = repositoryRoot;
        this.stateDir = stateDir;
        this.scriptOutputDir = stateDir.resolveSibling(stateDir.getFileName() + "-script-output");
    }

    /** Paths from the system properties the e2e-tests POM sets for Failsafe. */
    static LocalStackExtension fromSystemProperties() {
        return new LocalStackExtension(
                Path.of(requiredProperty("e2e.repository.root"))
                        .toAbsolutePath()
                        .normalize(),
                Path.of(requiredProperty("e2e.state.dir")).toAbsolutePath().normalize());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        deleteRecursively(stateDir);
        deleteRecursively(scriptOutputDir);
        int[] ports = freePorts(7);
        kafkaPort = ports[0];
        flinkRestPort = ports[3];
        registryPort = ports[2];
        s3Port = ports[5];
        restCatalogPort = ports[6];
        runScript(
                START_TIMEOUT,
                "local-stack.sh",
                "start",
                "--state-dir",
                stateDir.toString(),
                "--kafka-port",
                String.valueOf(kafkaPort),
                "--kafka-controller-port",
                String.valueOf(ports[1]),
                "--registry-port",
                String.valueOf(registryPort),
                "--flink-port",
                String.valueOf(flinkRestPort),
                "--flink-rpc-port",
                String.valueOf(ports[4]),
                // The cloud shape: a REST catalog with the warehouse in S3 (S3Proxy), written through S3FileIO.
                "--warehouse",
                "s3",
                "--s3-port",
                String.valueOf(s3Port),
                "--rest-catalog-port",
                String.valueOf(restCatalogPort));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            runScript(STOP_TIMEOUT, "local-stack.sh", "stop", "--state-dir", stateDir.toString());
        } finally {
            // Whatever the stop script could not stop (it failed, or timed out) is killed here.
            for (ProcessHandle process : stackProcesses()) {
                LOG.warn("Killing {} left running by the stop script", process.pid());
                process.destroyForcibly();
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        LOG.error("{} failed; the local stack's logs follow", context.getDisplayName());
        for (Path log : files(stateDir.resolve("logs"))) {
            LOG.error("---- last {} lines of {} ----\n{}", LOG_TAIL_LINES, log, tail(log));
        }
    }

    /**
     * Submits a job with {@code scripts/submit-job.sh} ({@code flink run -d}) and returns its job id.
     *
     * @param job {@code datagen} or {@code iceberg}
     */
    String submit(String job, String... flags) {
        List<String> arguments = new ArrayList<>(List.of("--state-dir", stateDir.toString(), job));
        arguments.addAll(Arrays.asList(flags));
        String output = runScript(SUBMIT_TIMEOUT, "submit-job.sh", arguments.toArray(String[]::new));
        Matcher jobId = SUBMITTED_JOB_ID.matcher(output);
        if (!jobId.find()) {
            throw new AssertionError("submit-job.sh printed no job id:\n" + output);
        }
        return jobId.group(1);
    }

    /** {@code scripts/local-stack.sh start} on the running stack: starts what died, leaves the rest. */
    void startMissingComponents() {
        runScript(START_TIMEOUT, "local-stack.sh", "start", "--state-dir", stateDir.toString());
    }

    /** SIGKILL to a TaskManager, as a crashed machine would stop it; returns once the process is gone. */
    void killTaskManager(int number) throws Exception {
        long pid = Long.parseLong(Files.readString(stateDir.resolve("pids/taskmanager-" + number + ".pid"))
                .trim());
        ProcessHandle taskManager = ProcessHandle.of(pid)
                .orElseThrow(() -> new AssertionError("taskmanager-" + number + " (pid " + pid + ") is not running"));
        LOG.info("Killing taskmanager-{} (pid {}) with SIGKILL", number, pid);
        taskManager.destroyForcibly();
        taskManager.onExit().get(30, TimeUnit.SECONDS);
    }

    /** The job's state in the JobManager's REST API, e.g. RUNNING, FINISHED, FAILED. */
    String jobState(String jobId) {
        return getJson(flinkUrl("/jobs/" + jobId)).path("state").asText();
    }

    long completedCheckpoints(String jobId) {
        return getJson(flinkUrl("/jobs/" + jobId + "/checkpoints"))
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** How often the job restarted after a failure (Flink's numRestarts metric). */
    long restarts(String jobId) {
        JsonNode metrics = getJson(flinkUrl("/jobs/" + jobId + "/metrics?get=numRestarts"));
        return metrics.isEmpty() ? 0 : metrics.get(0).path("value").asLong();
    }

    /** Cancels every job that has not finished, so a failed test leaves no job holding slots. */
    void cancelUnfinishedJobs() {
        for (JsonNode job : getJson(flinkUrl("/jobs/overview")).path("jobs")) {
            String state = job.path("state").asText();
            if (!List.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
                LOG.info(
                        "Cancelling job {} ({}, {})",
                        job.path("jid").asText(),
                        job.path("name").asText(),
                        state);
                cancel(job.path("jid").asText());
            }
        }
    }

    void cancel(String jobId) {
        send(HttpRequest.newBuilder(flinkUrl("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build());
    }

    Set<String> registrySubjects() {
        Set<String> subjects = new HashSet<>();
        getJson(registryUrl("/subjects")).forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    /** The latest version of {@code subject} as the registry's Confluent API answers it (id, schema, ...). */
    JsonNode latestSchemaVersion(String subject) {
        return getJson(registryUrl("/subjects/" + subject + "/versions/latest"));
    }

    /** Registers {@code schema} (Avro JSON) under {@code subject}, as a producer would, and returns its id. */
    int registerSchema(String subject, String schema) {
        try {
            String body = json.writeValueAsString(Map.of("schema", schema));
            return json.readTree(send(HttpRequest.newBuilder(registryUrl("/subjects/" + subject + "/versions"))
                            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build()))
                    .path("id")
                    .asInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String kafkaBootstrapServers() {
        return "localhost:" + kafkaPort;
    }

    Path stateDir() {
        return stateDir;
    }

    /**
     * The catalog submit-job.sh gives avro-to-iceberg-job unless a flag names another: the stack's REST
     * catalog, its tables in S3, read through S3FileIO with the stack's local-only keys.
     */
    IcebergWarehouse defaultWarehouse() {
        return IcebergWarehouse.catalog(Map.of(
                "type", "rest",
                "uri", "http://127.0.0.1:" + restCatalogPort + "/",
                "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
                "s3.endpoint", "http://127.0.0.1:" + s3Port,
                "s3.path-style-access", "true",
                "s3.access-key-id", "kickstarter",
                "s3.secret-access-key", "kickstarter-local-only",
                "client.region", "us-east-1"));
    }

    /**
     * The objects under {@code prefix} in the stack's bucket, as S3Proxy's filesystem backend keeps them
     * (one file per object under {@code <state dir>/s3/<bucket>/}).
     */
    List<String> bucketObjects(String prefix) throws IOException {
        Path bucket = stateDir.resolve("s3").resolve("warehouse");
        Path start = bucket.resolve(prefix);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (var paths = Files.walk(start)) {
            return paths.filter(Files::isRegularFile)
                    .map(path -> bucket.relativize(path).toString())
                    .sorted()
                    .toList();
        }
    }

    private URI registryUrl(String path) {
        return URI.create("http://localhost:" + registryPort + "/apis/ccompat/v7" + path);
    }

    private URI flinkUrl(String path) {
        return URI.create("http://localhost:" + flinkRestPort + path);
    }

    private JsonNode getJson(URI uri) {
        try {
            return json.readTree(send(HttpRequest.newBuilder(uri).GET().build()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(request, (name, value) -> true)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new AssertionError(request.method() + " " + request.uri() + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs one of the project's scripts with this JVM's Java first on the PATH and returns its output; fails
     * with that output when it exits non-zero or outlives the timeout.
     */
    private String runScript(Duration timeout, String script, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                "bash", repositoryRoot.resolve("scripts").resolve(script).toString()));
        command.addAll(Arrays.asList(arguments));
        Path output = scriptOutputDir.resolve(scriptRuns.incrementAndGet() + "-" + script + ".log");
        try {
            Files.createDirectories(scriptOutputDir);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(repositoryRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> environment = builder.environment();
            String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
            environment.put("PATH", javaBin + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
            environment.remove("LOCAL_STACK_DIR");
            LOG.info("Running {}", String.join(" ", command));
            Process process = builder.start();
            boolean exited = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String printed = Files.readString(output, UTF_8);
            LOG.info("{} printed:\n{}", script, printed);
            if (!exited) {
                throw new AssertionError(script + " did not finish within " + timeout + ":\n" + printed);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(script + " exited with " + process.exitValue() + ":\n" + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Processes of this stack that are still alive, found through their pid files. */
    private List<ProcessHandle> stackProcesses() {
        List<ProcessHandle> processes = new ArrayList<>();
        for (Path pidFile : files(stateDir.resolve("pids"))) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid)
                        .filter(process -> process.info()
                                .arguments()
                                .map(args -> Arrays.asList(args).toString().contains("-Dlocal.stack.component="))
                                .orElse(false))
                        .ifPresent(processes::add);
            } catch (IOException | NumberFormatException e) {
                LOG.warn("Unreadable pid file {}", pidFile, e);
            }
        }
        return processes;
    }

    private static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String requiredProperty(String name) {
        return requireNonNull(
                System.getProperty(name), () -> "System property " + name + " is not set (the e2e-tests POM sets it)");
    }
}
