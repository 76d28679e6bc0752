package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.flinkkickstarter.common.kafka.KafkaRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The Kafka lineage columns every table gets: where each row was read from. {@code (kafka_topic,
 * kafka_partition, kafka_offset)} identifies a row's source record exactly, so duplicates and gaps
 * can be checked with one query.
 */
final class KafkaLineage {

    static final String TOPIC = "kafka_topic";
    static final String PARTITION = "kafka_partition";
    static final String OFFSET = "kafka_offset";
    static final String TIMESTAMP = "kafka_timestamp";

    private final int topicPosition;
    private final int partitionPosition;
    private final int offsetPosition;
    private final int timestampPosition;

    private KafkaLineage(Schema schema) {
        List<Types.NestedField> columns = schema.columns();
        this.topicPosition = columns.indexOf(schema.findField(TOPIC));
        this.partitionPosition = columns.indexOf(schema.findField(PARTITION));
        this.offsetPosition = columns.indexOf(schema.findField(OFFSET));
        this.timestampPosition = columns.indexOf(schema.findField(TIMESTAMP));
        checkArgument(
                topicPosition >= 0 && partitionPosition >= 0 && offsetPosition >= 0 && timestampPosition >= 0,
                "Schema lacks the Kafka lineage columns: %s",
                schema);
    }

    /** Where the lineage columns are in rows of {@code schema}, a table schema that has them. */
    static KafkaLineage in(Schema schema) {
        return new KafkaLineage(schema);
    }

    /** {@code schema} with the lineage columns appended; a source field of the same name is an error. */
    static Schema appendTo(Schema schema) {
        List<Types.NestedField> columns = new ArrayList<>(schema.columns());
        int id = schema.highestFieldId();
        for (Types.NestedField lineage : List.of(
                Types.NestedField.required(++id, TOPIC, Types.StringType.get(), "Kafka topic the row was read from"),
                Types.NestedField.required(++id, PARTITION, Types.IntegerType.get(), "Kafka partition"),
                Types.NestedField.required(++id, OFFSET, Types.LongType.get(), "Kafka offset within the partition"),
                Types.NestedField.required(
                        ++id, TIMESTAMP, Types.TimestampType.withZone(), "Kafka record timestamp"))) {
            checkArgument(
                    schema.findField(lineage.name()) == null,
                    "The record schema has a field '%s', which clashes with the Kafka lineage column of that name",
                    lineage.name());
            columns.add(lineage);
        }
        return new Schema(columns);
    }

    /** Sets the lineage columns of {@code row} from {@code record}. */
    void write(KafkaRecord record, GenericRowData row) {
        row.setField(topicPosition, StringData.fromString(record.topic));
        row.setField(partitionPosition, record.partition);
        row.setField(offsetPosition, record.offset);
        row.setField(timestampPosition, TimestampData.fromEpochMillis(record.timestamp));
    }
}
