package dev.flinkkickstarter.common.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The one rule deciding what is secret, so that no log line, exception message, {@code toString} or
 * Flink job name shows a credential. Two parts:
 *
 * <ul>
 *   <li>By key ({@link #isSecretKey}): the whole value of a secret setting is hidden.
 *   <li>By value ({@link #redact(String)}): secrets embedded in otherwise printable text are hidden:
 *       user info in URLs and JDBC URIs, secret query/connection parameters, PEM blocks, HTTP
 *       authorization values and {@code password="..."} pairs (as in a JAAS config).
 * </ul>
 *
 * <p>Print settings only through {@link #redacted(Map)} and free text through {@link #redact(String)}.
 */
public final class Secrets {

    public static final String REDACTED = "******";

    /** Names that hide the whole value wherever they occur in a key. */
    private static final List<String> SECRET_WORDS =
            List.of("password", "passwd", "secret", "token", "credential", "authorization", "jaas", "private");

    /**
     * Which {@code key} segments carry key material when followed by {@code key} ({@code
     * ssl.keystore.key}, {@code fs.azure.account.key.<account>}, {@code adls.auth.shared-key.account.key},
     * {@code s3.secret-access-key}), as opposed to record keys ({@code key.serializer}, {@code
     * partition.key}).
     */
    private static final Set<String> KEY_MATERIAL_QUALIFIERS = Set.of(
            "keystore",
            "account",
            "access",
            "private",
            "secret",
            "shared",
            "api",
            "encryption",
            "master",
            "signing",
            "sas",
            "storage",
            "client",
            "ssl",
            "sasl",
            "hmac");

    /** What may follow a key-material {@code key} segment without it being the material itself. */
    private static final Set<String> KEY_DESCRIPTORS =
            Set.of("id", "alias", "type", "location", "file", "path", "algorithm", "size", "name", "source");

    private static final Pattern SEGMENT_SEPARATOR = Pattern.compile("[._\\-/\\s]+");

    /** {@code scheme://user:password@host}: the user info, up to the last {@code @} before the path. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)[^/\\s@\"',]+@");
    /** Oracle's {@code jdbc:oracle:thin:user/password@host}. */
    private static final Pattern ORACLE_USER_INFO = Pattern.compile("(?i)(:thin:)[^@\\s\"']+@");
    /** {@code ?name=value}, {@code &name=value}, {@code ;name=value} (JDBC URIs, connection strings). */
    private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&;?\\s]+)=([^&;\\s\"']*)");

    private static final Set<String> SECRET_PARAMETERS = Set.of("sig", "pwd", "accountkey", "sharedaccesskey");
    /** {@code password="..."} and {@code password=...} pairs, as in {@code sasl.jaas.config}. */
    private static final Pattern SECRET_PAIR =
            Pattern.compile("(?i)\\b([a-z0-9_.\\-]*(?:password|passwd|secret|token)[a-z0-9_.\\-]*\\s*=\\s*)"
                    + "(\"[^\"]*\"|'[^']*'|[^\\s,;&\"'}\\]]+)");
    /** HTTP authorization values in text. */
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)\\b(Basic|Bearer)\\s+[A-Za-z0-9+/=._~\\-]{4,}");
    /** A whole PEM block, or what is left of one when the text was cut off. */
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(?:.*?-----END \\1-----|.*)", Pattern.DOTALL);

    private Secrets() {}

    /**
     * True for keys whose value is secret as a whole, case-insensitively: any key naming a password,
     * secret, token, credential (except {@code basic.auth.credentials.source}), private key or
     * authorization; {@code sasl.jaas.config}; {@code basic.auth.user.info}; HTTP headers ({@code
     * header.*}, as Iceberg's REST catalog takes them); and keys holding key material ({@code
     * ssl.keystore.key}, storage account keys, {@code s3.secret-access-key}) but not record keys ({@code
     * key.serializer}, {@code partition.key}) or key descriptions ({@code s3.access-key-id}, {@code
     * ssl.keystore.location}).
     */
    public static boolean isSecretKey(@Nullable String key) {
        if (key == null) {
            return false;
        }
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith("credentials.source")) {
            return false; // names where credentials come from (USER_INFO, URL), holds none
        }
        if (k.endsWith("user.info") || k.startsWith("header.") || k.contains(".header.")) {
            return true;
        }
        if (SECRET_WORDS.stream().anyMatch(k::contains)) {
            return true;
        }
        return holdsKeyMaterial(SEGMENT_SEPARATOR.split(k));
    }

    private static boolean holdsKeyMaterial(String[] segments) {
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean keySegment = segment.equals("key") && i > 0 && KEY_MATERIAL_QUALIFIERS.contains(segments[i - 1]);
            // One word: accountkey, sharedkey, apikey, masterkey (but not "monkey"-like words: qualifier + key).
            boolean joined = segment.endsWith("key")
                    && KEY_MATERIAL_QUALIFIERS.contains(segment.substring(0, segment.length() - "key".length()));
            if ((keySegment || joined) && (i == segments.length - 1 || !KEY_DESCRIPTORS.contains(segments[i + 1]))) {
                return true;
            }
        }
        return false;
    }

    /** {@link #REDACTED} if {@code key} is secret, else {@code value} with embedded secrets redacted. */
    public static String redactValue(@Nullable String key, @Nullable Object value) {
        if (value == null) {
            return "null";
        }
        return isSecretKey(key) ? REDACTED : redact(String.valueOf(value));
    }

    /**
     * {@code text} with every embedded secret replaced by {@link #REDACTED}: URL and JDBC user info
     * ({@code https://******@host}), secret parameters ({@code ?user=u&password=******}), PEM blocks,
     * {@code Basic}/{@code Bearer} values and {@code password="..."} pairs. For messages that quote
     * settings or URLs; safe on any text.
     */
    public static String redact(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = PEM.matcher(text)
                .replaceAll(match -> Matcher.quoteReplacement(
                        "-----BEGIN " + match.group(1) + "-----" + REDACTED + "-----END " + match.group(1) + "-----"));
        result = URL_USER_INFO.matcher(result).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@");
        result = ORACLE_USER_INFO.matcher(result).replaceAll("$1" + Matcher.quoteReplacement(REDACTED) + "@");
        result = PARAMETER.matcher(result).replaceAll(match -> {
            String name = match.group(2);
            boolean secret = isSecretKey(name) || SECRET_PARAMETERS.contains(name.toLowerCase(Locale.ROOT));
            return Matcher.quoteReplacement(
                    match.group(1) + name + "=" + (secret && !match.group(3).isEmpty() ? REDACTED : match.group(3)));
        });
        result = SECRET_PAIR.matcher(result).replaceAll(match -> Matcher.quoteReplacement(match.group(1) + REDACTED));
        result = AUTHORIZATION.matcher(result).replaceAll("$1 " + Matcher.quoteReplacement(REDACTED));
        return result;
    }

    /** A sorted copy of {@code settings}, each value passed through {@link #redactValue}. */
    public static Map<String, String> redacted(Map<String, ?> settings) {
        Map<String, String> copy = new TreeMap<>();
        settings.forEach((key, value) -> copy.put(key, redactValue(key, value)));
        return copy;
    }
}
