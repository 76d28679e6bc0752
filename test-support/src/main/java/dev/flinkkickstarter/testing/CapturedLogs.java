package dev.flinkkickstarter.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures every log event of a test at DEBUG, or at the level given (logger name, formatted message, stack
 * trace of any throwable) instead of printing it, so a test can assert what would have reached a log file.
 */
public final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {

    private final Level level;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender =
            new AbstractAppender("captured-logs", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    lines.add(event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
                    if (event.getThrown() != null) {
                        lines.add(stackTrace(event.getThrown()));
                    }
                }
            };
    private Level previousRootLevel;
    private Map<String, Appender> previousRootAppenders;

    /** Captures everything down to DEBUG: to prove what no log line may hold. */
    public CapturedLogs() {
        this(Level.DEBUG);
    }

    /** Captures events of {@code level} and above: for long runs, where DEBUG would be too much. */
    public CapturedLogs(Level level) {
        this.level = level;
    }

    /** Every captured line so far; tests may add their own (toString, messages) to check them alike. */
    public List<String> lines() {
        return lines;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        appender.start();
        previousRootLevel = root.getLevel();
        // The console appender is detached meanwhile, so the capture does not flood the build output.
        previousRootAppenders = Map.copyOf(root.getAppenders());
        previousRootAppenders.keySet().forEach(root::removeAppender);
        root.addAppender(appender, level, null);
        root.setLevel(level);
        logging.updateLoggers();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        previousRootAppenders.values().forEach(previous -> root.addAppender(previous, null, null));
        root.setLevel(previousRootLevel);
        logging.updateLoggers();
        appender.stop();
    }

    /** A throwable's message, causes and stack trace, as a log file would show it. */
    public static String stackTrace(Throwable throwable) {
        StringWriter out = new StringWriter();
        throwable.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
