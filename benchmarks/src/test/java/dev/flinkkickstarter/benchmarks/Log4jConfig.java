package dev.flinkkickstarter.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Log4j 2 configuration for the child JVMs: warnings only, so that no process's log lines compete for
 * the CPU and disk with the measured work, plus INFO for the named loggers.
 */
final class Log4jConfig {

    private Log4jConfig() {}

    /** Writes the configuration to {@code file} and returns the JVM option that applies it. */
    static String write(Path file, String... infoLoggers) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "appender.console.type=Console",
                "appender.console.name=console",
                "appender.console.layout.type=PatternLayout",
                "appender.console.layout.pattern=%d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.console.ref=console"));
        for (int i = 0; i < infoLoggers.length; i++) {
            lines.add("logger.info" + i + ".name=" + infoLoggers[i]);
            lines.add("logger.info" + i + ".level=INFO");
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return "-Dlog4j2.configurationFile=" + file;
    }
}
