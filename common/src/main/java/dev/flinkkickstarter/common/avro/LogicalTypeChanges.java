package dev.flinkkickstarter.common.avro;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Finds fields whose Avro logical type changed between registered versions of a subject.
 *
 * <p>Some logical types map to the same Iceberg type yet encode values in different units: {@code
 * timestamp-millis} and {@code timestamp-micros} are both {@code timestamptz}, {@code time-millis} and {@code
 * time-micros} both {@code time}. A table's schema therefore cannot tell whether a new writer schema changed a
 * field's unit, and Avro's own resolution lets such a change through, so values would land 1000× off. The
 * reference is the registry's history instead: a field's logical type is the one of the earliest registered
 * version of the subject that has the field, and any later writer schema that differs is refused. Changes that
 * also change the Iceberg type (a decimal's scale, {@code long} to {@code timestamp-millis}) are refused by the
 * table's schema already; refusing them here too costs nothing.
 */
public final class LogicalTypeChanges {

    private static final String NONE = "none";

    private LogicalTypeChanges() {}

    /**
     * For each field of {@code writer} (nested fields by dotted path, {@code .element} for array items, {@code
     * .value} for map values) whose logical type differs from the one in the earliest version of {@code subject}
     * that has the field, a message naming the field and both logical types; empty if there is none (or the
     * subject does not exist).
     */
    public static List<String> against(SchemaRegistryClient registry, String subject, Schema writer)
            throws IOException {
        checkNotNull(registry, "registry");
        checkNotNull(subject, "subject");
        checkNotNull(writer, "writer");
        Map<String, String> reference = new LinkedHashMap<>();
        Map<String, Integer> referenceVersion = new LinkedHashMap<>();
        for (int version : registry.versions(subject)) {
            Map<String, String> logicalTypes =
                    logicalTypes(registry.version(subject, version).schema());
            logicalTypes.forEach((path, logicalType) -> {
                if (reference.putIfAbsent(path, logicalType) == null) {
                    referenceVersion.put(path, version);
                }
            });
        }
        List<String> problems = new ArrayList<>();
        logicalTypes(writer).forEach((path, logicalType) -> {
            String expected = reference.get(path);
            if (expected != null && !expected.equals(logicalType)) {
                problems.add("field '" + path + "' has logical type " + logicalType + ", but " + expected
                        + " in version " + referenceVersion.get(path) + " of subject '" + subject
                        + "', the first version with that field: the same column would hold values in another unit");
            }
        });
        return problems;
    }

    /** The logical type name (or {@code none}) of every field path in {@code schema}. */
    static Map<String, String> logicalTypes(Schema schema) {
        Map<String, String> logicalTypes = new LinkedHashMap<>();
        collect("", schema, logicalTypes, Collections.newSetFromMap(new IdentityHashMap<>()));
        return logicalTypes;
    }

    private static void collect(String path, Schema schema, Map<String, String> out, Set<Schema> visiting) {
        Schema type = nonNull(schema);
        if (type == null) {
            return; // a union of several types: no single logical type to compare
        }
        if (!path.isEmpty()) {
            out.put(
                    path,
                    type.getLogicalType() == null ? NONE : type.getLogicalType().getName());
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        switch (type.getType()) {
            case RECORD -> {
                if (visiting.add(type)) {
                    type.getFields().forEach(field -> collect(prefix + field.name(), field.schema(), out, visiting));
                    visiting.remove(type);
                }
            }
            case ARRAY -> collect(prefix + "element", type.getElementType(), out, visiting);
            case MAP -> collect(prefix + "value", type.getValueType(), out, visiting);
            default -> {}
        }
    }

    /** The schema itself, or the single non-null branch of a union; null for a union of several types. */
    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        List<Schema> branches = schema.getTypes().stream()
                .filter(branch -> branch.getType() != Schema.Type.NULL)
                .toList();
        return branches.size() == 1 ? branches.get(0) : null;
    }
}
