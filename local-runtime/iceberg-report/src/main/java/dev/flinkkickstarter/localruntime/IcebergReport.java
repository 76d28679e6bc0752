package dev.flinkkickstarter.localruntime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Prints what landed in a local Iceberg warehouse: row counts per table and a few sample rows.
 *
 * <pre>
 * IcebergReport --warehouse DIR [--sample N] [--counts] TABLE...
 * IcebergReport --catalog KEY=VALUE... [--sample N] [--counts] TABLE...
 * </pre>
 *
 * <p>{@code --warehouse} reads a hadoop catalog's directory; {@code --catalog} (repeated) takes
 * Iceberg's catalog properties instead, e.g. {@code type=rest}, {@code uri=...}.
 *
 * <p>{@code --counts} prints one {@code TABLE COUNT} line per table and nothing else, for scripts.
 */
public final class IcebergReport {

    private static final String USAGE =
            "Usage: IcebergReport --warehouse DIR | --catalog KEY=VALUE... [--sample N] [--counts] TABLE...";

    private IcebergReport() {}

    public static void main(String[] args) {
        String warehouse = null;
        Map<String, String> catalogProperties = new HashMap<>();
        int sample = 3;
        boolean countsOnly = false;
        List<String> tables = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warehouse" -> warehouse = valueAfter(args, i++);
                case "--catalog" -> {
                    String property = valueAfter(args, i++);
                    int equals = property.indexOf('=');
                    if (equals <= 0) {
                        fail("--catalog needs KEY=VALUE, got " + property);
                    }
                    catalogProperties.put(property.substring(0, equals), property.substring(equals + 1));
                }
                case "--sample" -> sample = Integer.parseInt(valueAfter(args, i++));
                case "--counts" -> countsOnly = true;
                default -> {
                    if (args[i].startsWith("--")) {
                        fail("Unknown option " + args[i]);
                    }
                    tables.add(args[i]);
                }
            }
        }
        if ((warehouse == null) == catalogProperties.isEmpty() || tables.isEmpty()) {
            fail("Name the warehouse or the catalog, and at least one table");
        }
        IcebergWarehouse tablesIn =
                warehouse != null ? IcebergWarehouse.at(warehouse) : IcebergWarehouse.catalog(catalogProperties);
        PrintStream out = System.out;
        for (String table : tables) {
            long count = tablesIn.rowCount(table);
            if (countsOnly) {
                out.println(table + " " + count);
                continue;
            }
            out.printf("%s: %d rows%s%n", table, count, tablesIn.exists(table) ? "" : " (no such table yet)");
            for (Record row : tablesIn.rows(table, sample)) {
                out.println("  " + describe(row));
            }
        }
    }

    /** {@code {field=value, ...}}: Iceberg's own toString shows values without their names. */
    static String describe(Record row) {
        return row.struct().fields().stream()
                .map(Types.NestedField::name)
                .map(name -> name + "=" + row.getField(name))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String valueAfter(String[] args, int i) {
        if (i + 1 >= args.length) {
            fail(args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static void fail(String message) {
        System.err.println(message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
