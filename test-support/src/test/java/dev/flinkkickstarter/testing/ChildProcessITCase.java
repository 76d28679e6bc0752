package dev.flinkkickstarter.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child JVMs (a tiny main in this class) and a real shell, started, awaited and stopped. */
class ChildProcessITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /**
     * The child: prints {@code ready on <port>} and the environment variable {@code GREETING}, echoes its standard
     * input line by line, then exits with {@code args[0]} once the input ends, or never ({@code stay}).
     */
    public static void main(String[] args) throws Exception {
        System.out.println("starting");
        System.out.println("ready on " + (40000 + args.length));
        System.out.println("greeting " + System.getenv("GREETING"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            System.out.println("echo " + line);
        }
        if (args[0].equals("stay")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        System.exit(Integer.parseInt(args[0]));
    }

    @Test
    void waitsForTheReadyLineAndReturnsItsGroups(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("logs").resolve("child.log");
        try (ChildProcess child = ChildProcess.java("child", ChildProcessITCase.class.getName())
                .jvmOptions("-Xmx32m")
                .arguments("stay")
                .environment(Map.of("GREETING", "hello"))
                .log(log)
                .start()) {
            assertThat(child.awaitOutput(Pattern.compile("ready on (\\d+)"), TIMEOUT)
                            .group(1))
                    .isEqualTo("40001");
            assertThat(child.awaitOutput(Pattern.compile("greeting (\\w+)"), TIMEOUT)
                            .group(1))
                    .isEqualTo("hello");
            assertThat(child.isAlive()).isTrue();
            child.close();
            assertThat(child.isAlive()).isFalse();
            assertThat(log).exists(); // a log the caller named stays
        }
    }

    @Test
    void passesItsInputAndSucceedsOnExitCodeZero() throws Exception {
        Path log;
        try (ChildProcess child = ChildProcess.java("child", ChildProcessITCase.class.getName())
                .arguments("0")
                .start()) {
            log = child.log();
            try (OutputStream in = child.input()) {
                in.write("one\ntwo\n".getBytes(UTF_8));
            }
            child.awaitSuccess(TIMEOUT);
            assertThat(child.output().lines()).containsSubsequence("echo one", "echo two");
        }
        assertThat(log).doesNotExist(); // its own temporary log goes with it
    }

    @Test
    void failsWithTheOutputTailOnAnotherExitCode() throws Exception {
        try (ChildProcess child = ChildProcess.java("failing child", ChildProcessITCase.class.getName())
                .arguments("3")
                .start()) {
            child.input().close();
            assertThatThrownBy(() -> child.awaitSuccess(TIMEOUT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("failing child exited with code 3")
                    .hasMessageContaining("ready on 40001");
        }
    }

    @Test
    void stopsWaitingAsSoonAsTheProcessHasExited() throws Exception {
        try (ChildProcess child = ChildProcess.java("short-lived child", ChildProcessITCase.class.getName())
                .arguments("0")
                .start()) {
            child.input().close();
            // The exit, not the timeout, ends the wait: the message says so and carries the output.
            assertThatThrownBy(() -> child.awaitOutput(Pattern.compile("never printed"), Duration.ofMinutes(10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("short-lived child exited with code 0")
                    .hasMessageContaining("greeting null");
        }
    }

    @Test
    void awaitsAProbeAndFailsWhenItNeverSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (ChildProcess child = ChildProcess.java("child", ChildProcessITCase.class.getName())
                .arguments("stay")
                .start()) {
            child.awaitReady("the third call", () -> calls.incrementAndGet() == 3, TIMEOUT);
            assertThat(calls).hasValue(3);
            assertThatThrownBy(() -> child.awaitReady("a probe that never succeeds", () -> false, Duration.ZERO))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("child did not become ready (a probe that never succeeds) within PT0S");
        }
    }

    @Test
    void runsAnyCommandInItsDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("marker.txt"), "found");
        try (ChildProcess shell = ChildProcess.command("shell", List.of("bash", "-c"))
                .arguments("cat marker.txt; echo \" $1\"", "bash", "argument")
                .directory(dir)
                .start()) {
            shell.awaitSuccess(TIMEOUT);
            assertThat(shell.output()).isEqualTo("found argument\n");
        }
        assertThatThrownBy(() -> ChildProcess.command("shell", List.of("bash")).jvmOptions("-Xmx1g"))
                .isInstanceOf(IllegalStateException.class);
    }
}
