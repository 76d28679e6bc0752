package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class PartitionSpecsTest {

    private static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "departure_time", Types.TimestampType.withZone()),
            Types.NestedField.required(2, "airport", Types.StringType.get()),
            Types.NestedField.required(3, "id", Types.LongType.get()));

    @Test
    void parsesTransformsAndColumns() {
        PartitionSpec spec = PartitionSpecs.parse("day(departure_time), bucket(16, id), truncate(2,airport)", SCHEMA);

        assertThat(spec)
                .isEqualTo(PartitionSpec.builderFor(SCHEMA)
                        .day("departure_time")
                        .bucket("id", 16)
                        .truncate("airport", 2)
                        .build());
    }

    @Test
    void plainColumnIsIdentity() {
        assertThat(PartitionSpecs.parse("airport", SCHEMA))
                .isEqualTo(PartitionSpec.builderFor(SCHEMA).identity("airport").build());
    }

    @Test
    void emptyOrNoneIsUnpartitioned() {
        assertThat(PartitionSpecs.parse(" ", SCHEMA).isUnpartitioned()).isTrue();
        assertThat(PartitionSpecs.parse("none", SCHEMA).isUnpartitioned()).isTrue();
    }

    @Test
    void rejectsUnknownTransformsAndColumns() {
        assertThatThrownBy(() -> PartitionSpecs.parse("week(departure_time)", SCHEMA))
                .hasMessageContaining("Unknown partition transform 'week'");
        assertThatThrownBy(() -> PartitionSpecs.parse("day(nope)", SCHEMA)).hasMessageContaining("nope");
        assertThatThrownBy(() -> PartitionSpecs.parse("day(16, departure_time)", SCHEMA))
                .hasMessageContaining("only bucket and truncate take a number");
    }
}
