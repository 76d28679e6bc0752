package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.types.RowKind;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * How one raw table's records delete rows in upsert mode: a record whose {@value
 * UpsertKeys#CANCELLED_COLUMN} column is true, and a Kafka tombstone (null value) when the table's
 * key is one string column, whose value is then the Kafka key (UTF-8). Not serializable: build it in
 * {@code open()}.
 */
final class KeyedDeletes {

    private final int cancelledPosition;
    private final int tombstoneKeyPosition;
    private final Object[] placeholders;
    private final KafkaLineage lineage;

    /**
     * @param rawSchema the raw table's schema (with the lineage columns)
     * @param tombstoneKeyColumn the string column a tombstone's Kafka key fills, or null if tombstones
     *     delete nothing in this table
     */
    KeyedDeletes(Schema rawSchema, @Nullable String tombstoneKeyColumn) {
        List<Types.NestedField> columns = rawSchema.columns();
        Types.NestedField cancelled = rawSchema.findField(UpsertKeys.CANCELLED_COLUMN);
        this.cancelledPosition =
                cancelled != null && cancelled.type().typeId() == Type.TypeID.BOOLEAN ? columns.indexOf(cancelled) : -1;
        this.tombstoneKeyPosition =
                tombstoneKeyColumn == null ? -1 : columns.indexOf(rawSchema.findField(tombstoneKeyColumn));
        this.placeholders = new Object[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).isRequired()) {
                placeholders[i] = placeholder(columns.get(i).type());
            }
        }
        this.lineage = KafkaLineage.in(rawSchema);
    }

    /**
     * The string column of {@code rawSchema} that a tombstone's key fills: the key's only column if it
     * is a string, else null (a tombstone then cannot say which row it deletes).
     */
    @Nullable
    static String tombstoneKeyColumn(Schema rawSchema, @Nullable List<String> key) {
        if (key == null || key.size() != 1) {
            return null;
        }
        Types.NestedField column = rawSchema.findField(key.get(0));
        return column != null && column.type().typeId() == Type.TypeID.STRING ? column.name() : null;
    }

    /** Whether {@code raw}, a row of the raw table, is a cancellation. */
    boolean isCancelled(RowData raw) {
        return cancelledPosition >= 0 && !raw.isNullAt(cancelledPosition) && raw.getBoolean(cancelledPosition);
    }

    /** Whether a tombstone with a key deletes a row of this table. */
    boolean takesTombstones() {
        return tombstoneKeyPosition >= 0;
    }

    /**
     * The deletion a tombstone with a key stands for: a {@link RowKind#DELETE} row carrying the key
     * and the Kafka lineage. The upsert writer writes only the key columns into its delete file; the
     * other required columns hold placeholders because Flink's row serializer, which carries the row
     * to its writer, cannot hold null in a NOT NULL primitive column.
     */
    GenericRowData tombstone(KafkaRecord record) {
        GenericRowData row = new GenericRowData(RowKind.DELETE, placeholders.length);
        for (int i = 0; i < placeholders.length; i++) {
            row.setField(i, placeholders[i]);
        }
        row.setField(tombstoneKeyPosition, StringData.fromBytes(record.key));
        lineage.write(record, row);
        return row;
    }

    @Nullable
    private static Object placeholder(Type type) {
        return switch (type.typeId()) {
            case BOOLEAN -> false;
            case INTEGER, DATE, TIME -> 0;
            case LONG -> 0L;
            case FLOAT -> 0f;
            case DOUBLE -> 0d;
            default -> null; // objects: the serializer writes null for them
        };
    }
}
