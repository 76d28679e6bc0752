package dev.flinkkickstarter.benchmarks;

import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Java process, by default started from this JVM's own classpath: the broker, Kafka's performance tools and the
 * jobs each get a JVM of their own, so that one's GC and JIT work never counts against another, and a
 * profile (JFR) covers exactly one of them. Output goes to a log file next to the results.
 */
final class ChildJvm implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;

    private final Thread shutdownHook;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        // A benchmark killed half-way (Ctrl-C, Failsafe's timeout) must not leave a broker or a job behind.
        this.shutdownHook = new Thread(process::destroyForcibly, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Builder builder(String name, String mainClass) {
        return new Builder(name, mainClass);
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The whole output so far. */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits for the process to end by itself and fails, with its last output, unless it exits with 0. */
    void awaitSuccess(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException(name + " did not finish within " + timeout + outputTail());
        }
        checkState(process.exitValue() == 0, "%s exited with code %s%s", name, process.exitValue(), outputTail());
    }

    /** Fails with the process's last output if it has ended (a crash while another process is awaited). */
    void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + outputTail());
        }
    }

    String outputTail() throws IOException {
        List<String> lines = output().lines().collect(Collectors.toList());
        return "; last lines of " + log + ":\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    /** SIGTERM (JVM shutdown hooks run: a JFR recording is written), then SIGKILL after a minute. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway: nothing left to undo.
        }
    }

    static final class Builder {
        private final String name;
        private final String mainClass;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private String classpath = System.getProperty("java.class.path");
        private Path log;

        private Builder(String name, String mainClass) {
            this.name = checkNotNull(name, "name");
            this.mainClass = checkNotNull(mainClass, "mainClass");
        }

        Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        Builder arguments(String... args) {
            arguments.addAll(List.of(args));
            return this;
        }

        Builder arguments(List<String> args) {
            arguments.addAll(args);
            return this;
        }

        /** Another classpath than this JVM's own, e.g. a third-party runtime assembled in a directory. */
        Builder classpath(String classpath) {
            this.classpath = checkNotNull(classpath, "classpath");
            return this;
        }

        Builder log(Path file) {
            this.log = file;
            return this;
        }

        ChildJvm start() throws IOException {
            checkNotNull(log, "log");
            List<String> command = new ArrayList<>();
            command.add(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classpath);
            command.add(mainClass);
            command.addAll(arguments);
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ChildJvm(name, process, log);
        }
    }
}
