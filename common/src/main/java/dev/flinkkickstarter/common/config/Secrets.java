package dev.flinkkickstarter.common.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Decides which client settings are secrets, so that no log line, message or toString shows them. */
public final class Secrets {

    public static final String REDACTED = "******";

    private Secrets() {}

    /** True for {@code sasl.jaas.config}, {@code basic.auth.user.info} and any key naming a password, secret or token. */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.endsWith("sasl.jaas.config")
                || k.endsWith("basic.auth.user.info")
                || k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("credential") && !k.endsWith("credentials.source");
    }

    /** A sorted copy of {@code settings} with every secret value replaced by {@link #REDACTED}. */
    public static Map<String, String> redacted(Map<String, ?> settings) {
        Map<String, String> copy = new TreeMap<>();
        settings.forEach((key, value) -> copy.put(key, isSecretKey(key) ? REDACTED : String.valueOf(value)));
        return copy;
    }
}
