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

    private static final String DURATION = "a duration such as 10s, 500ms or 1min";

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
        return getTyped(flag, defaultValue, TimeUtils::parseDuration, DURATION);
    }

    /** A duration flag's value, if given. */
    public Optional<Duration> getDuration(String flag) {
        return getParsed(flag, TimeUtils::parseDuration, DURATION);
    }

    /** A duration that must be above zero, such as an interval. */
    public Duration getPositiveDuration(String flag, Duration defaultValue) {
        Duration value = getDuration(flag, defaultValue);
        checkArgument(!value.isNegative() && !value.isZero(), "Flag --%s must be positive but was %s", flag, value);
        return value;
    }

    /** A count that must be above zero. */
    public int getPositiveInt(String flag, int defaultValue) {
        int value = getInt(flag, defaultValue);
        checkArgument(value > 0, "Flag --%s must be positive but was %s", flag, value);
        return value;
    }

    /** A count that must be above zero, if given. */
    public Optional<Integer> getPositiveInt(String flag) {
        return get(flag).isEmpty() ? Optional.empty() : Optional.of(getPositiveInt(flag, 1));
    }

    /**
     * One of {@code choices}, given by its name ({@code nameOf}, ignoring case), such as {@code exactly-once} or
     * {@code hash}; the error lists the names in {@code choices}' order.
     */
    public <T> T getChoice(String flag, List<T> choices, Function<T, String> nameOf, T defaultValue) {
        checkArgument(!choices.isEmpty(), "No choices for --%s", flag);
        List<String> names = choices.stream().map(nameOf).toList();
        String expected = names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        Function<String, T> byName = value -> choices.stream()
                .filter(choice -> nameOf.apply(choice).equalsIgnoreCase(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(value));
        return getParsed(flag, byName, expected).orElse(defaultValue);
    }

    /**
     * The flag's value converted by {@code parser}, if given; a value the parser refuses with a runtime exception
     * fails naming the flag, the value and {@code expected} (e.g. "a Java regular expression").
     */
    public <T> Optional<T> getParsed(String flag, Function<String, T> parser, String expected) {
        Optional<String> value = get(flag);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value.get().trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Flag --" + flag + " must be " + expected + " but was '" + value.get() + "'", e);
        }
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
        return getParsed(flag, parser, expected).orElse(defaultValue);
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
