package dev.flinkkickstarter.avrotoiceberg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in its own JVM for the tests, started from a local-runtime module's {@code lib/} directory: ready
 * once a line of its output matches {@code ready}, whose first group (the address it listens on) {@link
 * #start} returns. Its own JVM because these servers bring unshaded classes (Iceberg, Jetty, Netty) that
 * would clash with the job's.
 */
final class ServerProcess {

    private static final long STARTUP_TIMEOUT_SECONDS = 120;

    private final String name;
    private final List<String> output = new ArrayList<>();
    private Process process;

    ServerProcess(String name) {
        this.name = name;
    }

    /** The directory a system property names (the module's POM sets it for Failsafe), checked to exist. */
    static String libDirectory(String property, String module) {
        String lib = System.getProperty(property);
        if (lib == null || !Files.isDirectory(Paths.get(lib))) {
            throw new IllegalStateException("System property " + property + " must name the lib directory built by "
                    + module + ", but is " + lib);
        }
        return lib;
    }

    /**
     * Starts {@code java <jvmArgs> -cp <lib>/* <mainClass> <args>} with {@code environment} added, and
     * waits until it prints a line matching {@code ready}.
     */
    String start(
            String lib,
            List<String> jvmArgs,
            String mainClass,
            List<String> args,
            Map<String, String> environment,
            Pattern ready)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(lib + "/*");
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        CompletableFuture<String> address = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(ready, address), name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return address.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            stop();
            throw new IllegalStateException(
                    name + " did not start within " + STARTUP_TIMEOUT_SECONDS + " s; its output: " + outputSoFar(), e);
        } catch (ExecutionException e) {
            stop();
            throw new IllegalStateException(name + " failed to start", e.getCause());
        }
    }

    private void readOutput(Pattern ready, CompletableFuture<String> address) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher matcher = ready.matcher(line);
                if (matcher.find()) {
                    address.complete(matcher.group(1));
                }
            }
            address.completeExceptionally(new IllegalStateException(name + " exited: " + outputSoFar()));
        } catch (IOException e) {
            address.completeExceptionally(e);
        }
    }

    /** The last 40 lines it printed, for failure messages. */
    String outputSoFar() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
        }
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Deletes {@code directory} and everything in it (test data of a stopped server). */
    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
