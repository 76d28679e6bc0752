package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class LogicalTypeChangesTest {

    @Test
    void listsTheLogicalTypeOfEveryFieldPath() {
        Schema schema = new Schema.Parser().parse("""
                {"type": "record", "name": "Order", "fields": [
                  {"name": "id", "type": "long"},
                  {"name": "placed_at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
                  {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                    {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}}]}}},
                  {"name": "prices", "type": {"type": "map", "values":
                    {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}},
                  {"name": "either", "type": ["int", "string"]}]}""");

        assertThat(LogicalTypeChanges.logicalTypes(schema))
                .isEqualTo(Map.of(
                        "id", "none",
                        "placed_at", "timestamp-millis",
                        "lines", "none",
                        "lines.element", "none",
                        "lines.element.at", "time-millis",
                        "prices", "none",
                        "prices.value", "decimal"));
    }
}
