package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;

/**
 * Partition specs written the way Iceberg's SQL writes them, comma-separated: {@code
 * day(departure_time)}, {@code hour(ts)}, {@code month(ts)}, {@code year(ts)}, {@code
 * bucket(16, id)}, {@code truncate(4, code)}, {@code identity(col)} or just {@code col}; an empty
 * text or {@code none} means unpartitioned.
 */
public final class PartitionSpecs {

    private static final Pattern TRANSFORM = Pattern.compile("(\\w+)\\s*\\(\\s*(?:(\\d+)\\s*,\\s*)?([\\w.]+)\\s*\\)");
    private static final Pattern COLUMN = Pattern.compile("[\\w.]+");

    private PartitionSpecs() {}

    public static PartitionSpec parse(String spec, Schema schema) {
        checkNotNull(spec, "spec");
        checkNotNull(schema, "schema");
        String trimmed = spec.trim();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return PartitionSpec.unpartitioned();
        }
        PartitionSpec.Builder builder = PartitionSpec.builderFor(schema);
        for (String term : trimmed.split(",(?![^(]*\\))")) {
            addTerm(builder, term.trim(), spec);
        }
        return builder.build();
    }

    /**
     * The columns {@code spec} partitions by, by name, without a schema: for checks on tables that do not exist
     * yet. Terms that do not parse are left to {@link #parse}, which names them.
     */
    public static List<String> sourceColumns(String spec) {
        checkNotNull(spec, "spec");
        String trimmed = spec.trim();
        List<String> columns = new ArrayList<>();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return columns;
        }
        for (String term : trimmed.split(",(?![^(]*\\))")) {
            String text = term.trim();
            Matcher matcher = TRANSFORM.matcher(text);
            if (COLUMN.matcher(text).matches()) {
                columns.add(text);
            } else if (matcher.matches()) {
                columns.add(matcher.group(3));
            }
        }
        return columns;
    }

    private static void addTerm(PartitionSpec.Builder builder, String term, String spec) {
        if (COLUMN.matcher(term).matches()) {
            builder.identity(term);
            return;
        }
        Matcher matcher = TRANSFORM.matcher(term);
        checkArgument(
                matcher.matches(),
                "Cannot parse partition term '%s' in '%s': expected e.g. day(col), bucket(16, col), col",
                term,
                spec);
        String transform = matcher.group(1).toLowerCase(Locale.ROOT);
        String width = matcher.group(2);
        String column = matcher.group(3);
        checkArgument(
                (width != null) == (transform.equals("bucket") || transform.equals("truncate")),
                "Partition term '%s': only bucket and truncate take a number",
                term);
        switch (transform) {
            case "identity" -> builder.identity(column);
            case "year", "years" -> builder.year(column);
            case "month", "months" -> builder.month(column);
            case "day", "days" -> builder.day(column);
            case "hour", "hours" -> builder.hour(column);
            case "bucket" -> builder.bucket(column, Integer.parseInt(width));
            case "truncate" -> builder.truncate(column, Integer.parseInt(width));
            default ->
                throw new IllegalArgumentException("Unknown partition transform '" + transform + "' in '" + spec
                        + "': use identity, year, month, day, hour, bucket or truncate");
        }
    }
}
