package dev.flinkkickstarter.benchmarks;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The benchmark's one table: each figure next to its reference from the same run, their ratio and the
 * target the ratio is held to; printed, and written as CSV, JSON and Markdown.
 */
final class BenchmarkReport {

    /** One figure; {@code minRatio} / {@code maxRatio} is the target (either may be absent). */
    record Row(
            String figure,
            double value,
            String unit,
            String reference,
            double referenceValue,
            Double minRatio,
            Double maxRatio) {

        /** A figure next to a reference, with no target. */
        Row(String figure, double value, String unit, String reference, double referenceValue) {
            this(figure, value, unit, reference, referenceValue, null, null);
        }

        double ratio() {
            return value / referenceValue;
        }

        String target() {
            if (minRatio != null) {
                return String.format(Locale.ROOT, ">= %.2f", minRatio);
            }
            return maxRatio != null ? String.format(Locale.ROOT, "<= %.0f", maxRatio) : "";
        }

        String verdict() {
            if (minRatio == null && maxRatio == null) {
                return "";
            }
            boolean met = (minRatio == null || ratio() >= minRatio) && (maxRatio == null || ratio() <= maxRatio);
            return met ? "met" : "NOT met";
        }
    }

    private static final List<String> COLUMNS =
            List.of("figure", "value", "unit", "reference", "reference value", "ratio", "target", "verdict");

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(Row row) {
        rows.add(row);
    }

    /** A line printed under the table (context such as record sizes and machine load). */
    void note(String note) {
        notes.add(note);
    }

    private List<List<String>> cells() {
        return rows.stream()
                .map(row -> List.of(
                        row.figure(),
                        number(row.value()),
                        row.unit(),
                        row.reference(),
                        number(row.referenceValue()),
                        String.format(Locale.ROOT, "%.2f", row.ratio()),
                        row.target(),
                        row.verdict()))
                .toList();
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    /** A fixed-width table for the console. */
    String text() {
        List<List<String>> cells = cells();
        int[] widths = new int[COLUMNS.size()];
        for (int i = 0; i < widths.length; i++) {
            int column = i;
            widths[i] = Math.max(
                    COLUMNS.get(i).length(),
                    cells.stream()
                            .mapToInt(row -> row.get(column).length())
                            .max()
                            .orElse(0));
        }
        StringBuilder text = new StringBuilder();
        appendRow(text, COLUMNS, widths);
        for (List<String> row : cells) {
            appendRow(text, row, widths);
        }
        notes.forEach(note -> text.append(note).append('\n'));
        return text.toString();
    }

    private static void appendRow(StringBuilder text, List<String> row, int[] widths) {
        for (int i = 0; i < row.size(); i++) {
            text.append(String.format("%-" + widths[i] + "s", row.get(i))).append(i + 1 < row.size() ? " | " : "\n");
        }
    }

    String markdown() {
        StringBuilder text = new StringBuilder();
        text.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n");
        text.append(COLUMNS.stream().map(column -> "---").collect(Collectors.joining("|", "|", "|\n")));
        cells().forEach(row -> text.append("| ").append(String.join(" | ", row)).append(" |\n"));
        text.append('\n');
        notes.forEach(note -> text.append(note).append("  \n"));
        return text.toString();
    }

    String csv() {
        StringBuilder text = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        cells().forEach(row -> text.append(
                        row.stream().map(BenchmarkReport::csvField).collect(Collectors.joining(",")))
                .append('\n'));
        return text.toString();
    }

    private static String csvField(String field) {
        return field.contains(",") || field.contains("\"") ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    String json() {
        String rowsJson = rows.stream()
                .map(row -> String.format(
                        Locale.ROOT,
                        "    {\"figure\": %s, \"value\": %s, \"unit\": %s, \"reference\": %s, \"referenceValue\": %s,"
                                + " \"ratio\": %s, \"target\": %s, \"verdict\": %s}",
                        jsonString(row.figure()),
                        row.value(),
                        jsonString(row.unit()),
                        jsonString(row.reference()),
                        row.referenceValue(),
                        row.ratio(),
                        jsonString(row.target()),
                        jsonString(row.verdict())))
                .collect(Collectors.joining(",\n"));
        String notesJson = notes.stream().map(BenchmarkReport::jsonString).collect(Collectors.joining(",\n    "));
        return "{\n  \"rows\": [\n" + rowsJson + "\n  ],\n  \"notes\": [\n    " + notesJson + "\n  ]\n}\n";
    }

    private static String jsonString(String value) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + '"';
    }

    /** Writes benchmark.csv, benchmark.json and benchmark.md to {@code dir}. */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("benchmark.csv"), csv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("benchmark.json"), json(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("benchmark.md"), markdown(), StandardCharsets.UTF_8);
    }
}
