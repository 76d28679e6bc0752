package dev.flinkkickstarter.common.avro;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.avro.Schema;

/**
 * What a writer schema must satisfy before values are decoded with it. Decoding recurses once per
 * level of nesting, so a recursive schema (a record that contains itself) or a very deep one lets a
 * value overflow the stack of the thread that decodes every topic; neither maps to a table anyway.
 */
final class WriterSchemaLimits {

    /** Records, arrays and maps nested in each other; far beyond what a table schema uses. */
    static final int MAX_NESTING_DEPTH = 64;

    /**
     * Array items of a type that encodes to no bytes ({@code null}, {@code fixed(0)}, records of
     * such) one value may declare beyond its remaining bytes; only schemas with such arrays get any.
     */
    static final long ZERO_BYTE_ITEM_BUDGET = 4_096;

    private WriterSchemaLimits() {}

    /** Why values of {@code schema} must not be decoded, or null if they may. */
    @Nullable
    static String problem(Schema schema) {
        return problem(schema, new ArrayList<>(), 0);
    }

    @Nullable
    private static String problem(Schema schema, List<Schema> enclosingRecords, int depth) {
        switch (schema.getType()) {
            case RECORD -> {
                for (Schema enclosing : enclosingRecords) {
                    if (enclosing == schema) {
                        return "it is recursive (record " + schema.getFullName()
                                + " contains itself), which no table column can hold";
                    }
                }
                if (depth >= MAX_NESTING_DEPTH) {
                    return "it nests records, arrays and maps more than " + MAX_NESTING_DEPTH + " levels deep";
                }
                enclosingRecords.add(schema);
                for (Schema.Field field : schema.getFields()) {
                    String problem = problem(field.schema(), enclosingRecords, depth + 1);
                    if (problem != null) {
                        return problem;
                    }
                }
                enclosingRecords.remove(enclosingRecords.size() - 1);
                return null;
            }
            case ARRAY, MAP -> {
                if (depth >= MAX_NESTING_DEPTH) {
                    return "it nests records, arrays and maps more than " + MAX_NESTING_DEPTH + " levels deep";
                }
                Schema items = schema.getType() == Schema.Type.ARRAY ? schema.getElementType() : schema.getValueType();
                return problem(items, enclosingRecords, depth + 1);
            }
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    String problem = problem(branch, enclosingRecords, depth);
                    if (problem != null) {
                        return problem;
                    }
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The zero-byte item budget for values of {@code schema} (which passed {@link #problem}): {@link
     * #ZERO_BYTE_ITEM_BUDGET} if an array of it holds items that encode to no bytes, else 0.
     */
    static long zeroByteItemBudget(Schema schema) {
        return hasZeroByteArrayItems(schema) ? ZERO_BYTE_ITEM_BUDGET : 0;
    }

    private static boolean hasZeroByteArrayItems(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> schema.getFields().stream().anyMatch(field -> hasZeroByteArrayItems(field.schema()));
            case ARRAY -> encodesToNoBytes(schema.getElementType()) || hasZeroByteArrayItems(schema.getElementType());
            case MAP -> hasZeroByteArrayItems(schema.getValueType());
            case UNION -> schema.getTypes().stream().anyMatch(WriterSchemaLimits::hasZeroByteArrayItems);
            default -> false;
        };
    }

    private static boolean encodesToNoBytes(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> true;
            case FIXED -> schema.getFixedSize() == 0;
            case RECORD -> schema.getFields().stream().allMatch(field -> encodesToNoBytes(field.schema()));
            default -> false;
        };
    }
}
