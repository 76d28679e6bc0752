package dev.flinkkickstarter.common.config;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.flink.util.TimeUtils;

/**
 * A job's command-line flags ({@code --name value} or {@code --name=value}), with typed getters
 * whose errors name the flag, and an environment-variable fallback per flag.
 *
 * <p>Values are never printed: {@link #toString()} lists flag names only, because flags such as
 * {@code --kafka.sasl.jaas.config} carry secrets. Read it in {@code main}; it is deliberately not
 * {@code Serializable}, so neither flags nor the environment travel to the cluster by accident.
 */
public final class JobArguments {

    private final Map<String, List<String>> flags;
    private final Map<String, String> environment;

    private JobArguments(Map<String, List<String>> flags, Map<String, String> environment) {
        this.flags = flags;
        this.environment = environment;
    }

    /** Parses {@code args}; environment fallbacks come from the process environment. */
    public static JobArguments parse(String... args) {
        return parse(args, System.getenv());
    }

    /** Parses {@code args}; environment fallbacks come from {@code environment} (tests pass their own). */
    public static JobArguments parse(String[] args, Map<String, String> environment) {
        checkNotNull(args, "args");
        checkNotNull(environment, "environment");
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            checkArgument(
                    arg.startsWith("--") && arg.length() > 2,
                    "Expected a flag like --name value or --name=value but got '%s' (argument %s)",
                    arg,
                    i + 1);
            String name;
            String value;
            int equals = arg.indexOf('=');
            if (equals > 2) {
                name = arg.substring(2, equals);
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                name = arg.substring(2);
                value = args[++i];
            } else {
                name = arg.substring(2);
                value = "true"; // a bare flag is a switch
            }
            flags.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return new JobArguments(deepCopy(flags), Map.copyOf(environment));
    }

    /** The flag's value (the last one when repeated), if given. */
    public Optional<String> get(String flag) {
        List<String> values = flags.get(flag);
        return values == null ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    /** The flag's value, else the environment variable's, if either is set and not blank. */
    public Optional<String> get(String flag, String environmentVariable) {
        Optional<String> value = get(flag);
        if (value.isPresent()) {
            return value;
        }
        String fromEnvironment = environment.get(environmentVariable);
        return fromEnvironment == null || fromEnvironment.isBlank() ? Optional.empty() : Optional.of(fromEnvironment);
    }

    public String get(String flag, String environmentVariable, String defaultValue) {
        return get(flag, environmentVariable).orElse(defaultValue);
    }

    public String getOrDefault(String flag, String defaultValue) {
        return get(flag).orElse(defaultValue);
    }

    public String getRequired(String flag) {
        return get(flag).orElseThrow(() -> new IllegalArgumentException("Missing required flag --" + flag));
    }

    /** Every value of a repeatable flag, in order; comma-separated values are split. */
    public List<String> getList(String flag, List<String> defaultValue) {
        List<String> values = flags.get(flag);
        if (values == null) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        for (String value : values) {
            Arrays.stream(value.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(items::add);
        }
        checkArgument(!items.isEmpty(), "Flag --%s needs at least one value", flag);
        return Collections.unmodifiableList(items);
    }

    public int getInt(String flag, int defaultValue) {
        return getTyped(flag, defaultValue, Integer::parseInt, "an integer");
    }

    public long getLong(String flag, long defaultValue) {
        return getTyped(flag, defaultValue, Long::parseLong, "an integer");
    }

    public double getDouble(String flag, double defaultValue) {
        return getTyped(flag, defaultValue, Double::parseDouble, "a number");
    }

    public boolean getBoolean(String flag, boolean defaultValue) {
        return getTyped(flag, defaultValue, JobArguments::parseBoolean, "true or false");
    }

    /** Durations as Flink writes them: {@code 10 s}, {@code 500ms}, {@code 1min}; a bare number is milliseconds. */
    public Duration getDuration(String flag, Duration defaultValue) {
        return getTyped(flag, defaultValue, TimeUtils::parseDuration, "a duration such as 10s, 500ms or 1min");
    }

    /** All flags {@code <prefix><name>} as {@code name -> value}, e.g. {@code --kafka.acks=all}. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        flags.forEach((name, values) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                result.put(name.substring(prefix.length()), values.get(values.size() - 1));
            }
        });
        return Collections.unmodifiableMap(result);
    }

    /**
     * Fails on any flag that is neither one of {@code names} nor starts with one of {@code
     * prefixes}: a misspelt flag must not be silently ignored.
     */
    public void checkOnlyKnownFlags(Collection<String> names, Collection<String> prefixes) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String flag : flags.keySet()) {
            if (!names.contains(flag) && prefixes.stream().noneMatch(flag::startsWith)) {
                unknown.add("--" + flag);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown flag(s) " + String.join(", ", unknown) + ". Known flags: --"
                    + String.join(", --", new TreeSet<>(names))
                    + (prefixes.isEmpty() ? "" : ", and any flag starting with --" + String.join(" or --", prefixes)));
        }
    }

    private <T> T getTyped(String flag, T defaultValue, Function<String, T> parser, String expected) {
        Optional<String> value = get(flag);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return parser.apply(value.get().trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Flag --" + flag + " must be " + expected + " but was '" + value.get() + "'", e);
        }
    }

    private static boolean parseBoolean(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(value);
    }

    private static Map<String, List<String>> deepCopy(Map<String, List<String>> flags) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        flags.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return Collections.unmodifiableMap(copy);
    }

    @Override
    public String toString() {
        return "JobArguments" + flags.keySet();
    }
}
