package dev.flinkkickstarter.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the tests or benchmarks start beside their own JVM - a server (schema registry, REST catalog, S3, Kafka
 * broker), a tool that runs to its end, or a job in a JVM of its own - with its output in a log file.
 *
 * <pre>{@code
 * try (ChildProcess server = ChildProcess.java("s3proxy", "org.gaul.s3proxy.Main")
 *         .classpath(lib + "/*")
 *         .arguments("--properties", properties.toString())
 *         .start()) {
 *     String address = server.awaitOutput(LISTENING, Duration.ofMinutes(2)).group(1);
 *     ...
 * }
 * }</pre>
 *
 * <p>Every wait fails with the last lines of the log as soon as the process has exited, instead of running into its
 * timeout. {@link #close()} stops it (SIGTERM, so shutdown hooks such as a JFR dump run; SIGKILL after a minute), and
 * a JVM shutdown hook kills it if the test JVM ends first (Ctrl-C, a fork timeout), so that nothing is left behind.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;
    private final boolean deleteLogOnClose;
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process, Path log, boolean deleteLogOnClose) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.deleteLogOnClose = deleteLogOnClose;
        this.shutdownHook = new Thread(process::destroyForcibly, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * {@code java <jvm options> -cp <classpath> <mainClass> <arguments>} with this JVM's {@code java} and, unless
     * {@link Builder#classpath} names another, this JVM's own classpath.
     */
    public static Builder java(String name, String mainClass) {
        return new Builder(name, requireNonNull(mainClass, "mainClass"), null);
    }

    /** {@code java <jvm options> -jar <jar> <arguments>} with this JVM's {@code java}. */
    public static Builder javaJar(String name, Path jar) {
        return new Builder(name, null, requireNonNull(jar, "jar"));
    }

    /** Any program, e.g. {@code bash script.sh}: {@link Builder#arguments} follow {@code command}. */
    public static Builder command(String name, List<String> command) {
        Builder builder = new Builder(name, null, null);
        builder.command.addAll(command);
        return builder;
    }

    public String name() {
        return name;
    }

    /** The file its output (stdout and stderr) goes to. */
    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its standard input, e.g. for a tool that reads values line by line; close it to signal the end. */
    public OutputStream input() {
        return process.getOutputStream();
    }

    /** The whole output so far. */
    public String output() throws IOException {
        // Lenient decoding: a line cut mid-character by a process still writing must not fail the read.
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    /** The last lines of its output, for failure messages: {@code "; last lines of <log>:\n..."}. */
    public String outputTail() {
        try {
            List<String> lines = output().lines().toList();
            return "; last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "; its log " + log + " is unreadable: " + e;
        }
    }

    /** Fails with its last output if it has ended (a crash while something else is awaited). */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + outputTail());
        }
    }

    /** Waits for it to end by itself and fails, with its last output, unless it exits with 0. */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException(name + " did not finish within " + timeout + outputTail());
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + outputTail());
        }
    }

    /**
     * Waits until its output matches {@code pattern} (a ready line, an address it listens on) and returns the first
     * match, whose groups carry what the line says.
     */
    public MatchResult awaitOutput(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher matcher = pattern.matcher(output());
            if (matcher.find()) {
                return matcher.toMatchResult();
            }
            awaitNextPoll(deadline, timeout, "print a line matching '" + pattern + "'");
        }
    }

    /** A readiness check from outside, e.g. a port that accepts connections or an HTTP endpoint that answers 200. */
    @FunctionalInterface
    public interface Probe {
        boolean succeeds() throws IOException, InterruptedException;
    }

    /** Waits until {@code probe} succeeds; {@code what} describes it for the failure message. */
    public void awaitReady(String what, Probe probe, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!probe.succeeds()) {
            awaitNextPoll(deadline, timeout, "become ready (" + what + ")");
        }
    }

    private void awaitNextPoll(long deadline, Duration timeout, String goal) throws InterruptedException {
        checkAlive();
        if (System.nanoTime() - deadline >= 0) {
            throw new IllegalStateException(name + " did not " + goal + " within " + timeout + outputTail());
        }
        Thread.sleep(POLL_INTERVAL.toMillis());
    }

    /** SIGTERM, then SIGKILL after a minute; deletes the log if it was a temporary file of its own. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway: nothing left to undo.
        }
        if (deleteLogOnClose) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // A leftover temporary file is harmless.
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }

    /** What to start; {@link #start()} starts it. */
    public static final class Builder {
        private final String name;
        private final String mainClass;
        private final Path jar;
        private final List<String> command = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String classpath = System.getProperty("java.class.path");
        private Path directory;
        private Path log;

        private Builder(String name, String mainClass, Path jar) {
            this.name = requireNonNull(name, "name");
            this.mainClass = mainClass;
            this.jar = jar;
        }

        public Builder jvmOptions(String... options) {
            return jvmOptions(List.of(options));
        }

        public Builder jvmOptions(List<String> options) {
            checkJava("JVM options");
            jvmOptions.addAll(options);
            return this;
        }

        public Builder arguments(String... args) {
            return arguments(List.of(args));
        }

        public Builder arguments(List<String> args) {
            arguments.addAll(args);
            return this;
        }

        /** Another classpath than this JVM's own, e.g. {@code lib/*} of a server assembled in a directory. */
        public Builder classpath(String classpath) {
            checkJava("a classpath");
            if (mainClass == null) {
                throw new IllegalStateException("A classpath needs a main class, not -jar");
            }
            this.classpath = requireNonNull(classpath, "classpath");
            return this;
        }

        /** Added to (and overriding) this JVM's environment. */
        public Builder environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** Its working directory (this JVM's unless set). */
        public Builder directory(Path directory) {
            this.directory = requireNonNull(directory, "directory");
            return this;
        }

        /** The file its output goes to; unless set, a temporary file that {@link ChildProcess#close()} deletes. */
        public Builder log(Path file) {
            this.log = requireNonNull(file, "file");
            return this;
        }

        public ChildProcess start() throws IOException {
            List<String> line = new ArrayList<>(command);
            if (command.isEmpty()) {
                line.add(Paths.get(System.getProperty("java.home"), "bin", "java")
                        .toString());
                line.addAll(jvmOptions);
                if (jar != null) {
                    line.add("-jar");
                    line.add(jar.toString());
                } else {
                    line.add("-cp");
                    line.add(classpath);
                    line.add(mainClass);
                }
            }
            line.addAll(arguments);
            boolean temporaryLog = log == null;
            Path file = temporaryLog ? Files.createTempFile(name.replaceAll("[^A-Za-z0-9.-]+", "-"), ".log") : log;
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            ProcessBuilder builder =
                    new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(file.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            return new ChildProcess(name, builder.start(), file, temporaryLog);
        }

        private void checkJava(String what) {
            if (!command.isEmpty()) {
                throw new IllegalStateException("Only a Java process takes " + what + ", not " + command);
            }
        }
    }
}
