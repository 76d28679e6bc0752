package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.JobArguments;
import dev.flinkkickstarter.common.iceberg.IcebergCatalogs;
import dev.flinkkickstarter.common.iceberg.PartitionSpecs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SerializationUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpsertKeysTest {

    private static final TableIdentifier SKY_ONE = TableIdentifier.parse("airlines.skyone");
    private static final TableIdentifier SUNSET = TableIdentifier.parse("airlines.sunset");
    private static final TableIdentifier FLIGHT = TableIdentifier.parse("airlines.flight");
    private static final TableIdentifier BOOKINGS = TableIdentifier.parse("shop.bookings");

    private static final Schema BOOKINGS_SCHEMA = new Schema(
            Types.NestedField.required(1, "reference", Types.StringType.get()),
            Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()),
            Types.NestedField.required(3, "price", Types.DoubleType.get()),
            Types.NestedField.optional(4, "agency", Types.StringType.get()),
            Types.NestedField.optional(
                    5, "seat", Types.StructType.of(Types.NestedField.optional(6, "row", Types.IntegerType.get()))));

    @TempDir
    Path warehouse;

    private Catalog catalog;

    @BeforeEach
    void openCatalog() {
        catalog = IcebergCatalogs.loader(
                        Map.of(IcebergCatalogs.WAREHOUSE, warehouse.toUri().toString()))
                .loadCatalog();
    }

    @Test
    void upsertIsOffUnlessAskedFor() {
        AvroToIcebergOptions options = options();

        for (TableIdentifier table : List.of(SKY_ONE, SUNSET, FLIGHT)) {
            assertThat(options.upsertKeys().isUpsert(table)).as("%s", table).isFalse();
            assertThat(options.upsertKeys().key(table)).isEmpty();
        }
        assertThat(options.partitionSpec(SUNSET)).isEqualTo("month(departure_time)");
    }

    @Test
    void upsertTablesUseTheBookingReferencesAsDefaultKeys() {
        UpsertKeys keys = options("--upsert-tables", "all").upsertKeys();

        assertThat(keys.key(SKY_ONE)).contains(List.of("confirmation"));
        assertThat(keys.key(SUNSET)).contains(List.of("reference_number"));
        assertThat(keys.key(FLIGHT)).contains(List.of("airline", "confirmation_code"));
    }

    @Test
    void upsertTablesNameSomeTablesAndAKeyFlagTurnsUpsertOnForItsTable() {
        AvroToIcebergOptions options = options(
                "--upsert-tables", "airlines.sunset", "--upsert-key.airlines.flight", " confirmation_code , airline ");

        assertThat(options.upsertKeys().isUpsert(SKY_ONE)).isFalse();
        assertThat(options.upsertKeys().key(SUNSET)).contains(List.of("reference_number"));
        assertThat(options.upsertKeys().key(FLIGHT)).contains(List.of("confirmation_code", "airline"));
        assertThat(options("--upsert-tables", "none").upsertKeys().isUpsert(SUNSET))
                .isFalse();
    }

    @Test
    void upsertTablesAreUnpartitionedUnlessAFlagSaysOtherwise() {
        AvroToIcebergOptions options = options(
                "--upsert-tables", "all", "--partition-spec.airlines.flight", "bucket(8, confirmation_code), airline");

        assertThat(options.partitionSpec(SUNSET)).isEqualTo("none");
        assertThat(options.partitionSpec(SKY_ONE)).isEqualTo("none");
        assertThat(options.partitionSpec(FLIGHT)).isEqualTo("bucket(8, confirmation_code), airline");
    }

    @Test
    void aTableWithoutADefaultKeyNeedsAKeyFlag() {
        assertThatThrownBy(() -> options("--topics", "orders", "--upsert-tables", "all"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("airlines.orders has no default upsert key")
                .hasMessageContaining("--upsert-key.airlines.orders=");
        assertThat(options("--topics", "orders", "--upsert-key.airlines.orders", "order_id")
                        .upsertKeys()
                        .key(TableIdentifier.parse("airlines.orders")))
                .contains(List.of("order_id"));
    }

    @Test
    void rejectsTablesTheJobDoesNotWriteAndMalformedKeys() {
        assertThatThrownBy(() -> options("--upsert-tables", "airlines.oceanic"))
                .hasMessageContaining("--upsert-tables names table 'airlines.oceanic'")
                .hasMessageContaining("airlines.skyone");
        assertThatThrownBy(() -> options("--upsert-key.airlines.oceanic", "id"))
                .hasMessageContaining("--upsert-key.airlines.oceanic");
        assertThatThrownBy(() -> options("--flight-table", "none", "--upsert-tables", "airlines.flight"))
                .hasMessageContaining("does not write");
        assertThatThrownBy(() -> options("--upsert-key.airlines.sunset", "reference_number,,airline"))
                .hasMessageContaining("distinct column names");
        assertThatThrownBy(() -> options("--upsert-key.airlines.sunset", "a,a"))
                .hasMessageContaining("distinct column names");
        assertThatThrownBy(() -> options("--upsert-keys.airlines.sunset", "a")).hasMessageContaining("Unknown flag");
    }

    @Test
    void withATopicPatternKeyFlagsTakeAnyTableAndAllMeansTheFlightTable() {
        TableIdentifier oceanic = TableIdentifier.parse("airlines.oceanic");
        AvroToIcebergOptions options = options(
                "--topic-pattern",
                "airline\\..*",
                "--upsert-tables",
                "all",
                "--upsert-key.airlines.oceanic",
                "booking_id");

        assertThat(options.upsertKeys().key(oceanic)).contains(List.of("booking_id"));
        assertThat(options.upsertKeys().key(FLIGHT)).contains(List.of("airline", "confirmation_code"));
        assertThat(options.upsertKeys().isUpsert(SKY_ONE)).isFalse();
        assertThat(options.partitionSpec(oceanic)).isEqualTo("none");
        assertThat(options("--topic-pattern", "airline\\..*", "--upsert-tables", "airlines.sunset")
                        .upsertKeys()
                        .key(SUNSET))
                .contains(List.of("reference_number"));
        assertThatThrownBy(() -> options("--topic-pattern", "shop\\..*", "--upsert-tables", "shop.orders"))
                .hasMessageContaining("shop.orders has no default upsert key");
    }

    @Test
    void refusesPartitionSpecTextOutsideTheKeyForTablesTheSinkCreatesLater() {
        assertThatThrownBy(() -> options(
                        "--topic-pattern",
                        "shop\\..*",
                        "--upsert-key.shop.orders",
                        "order_id",
                        "--partition-spec.shop.orders",
                        "bucket(8, order_id), day(ordered_at)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Upsert into shop.orders by key [order_id]")
                .hasMessageContaining("partitions by [ordered_at]");
        assertThatThrownBy(() -> options(
                        "--upsert-tables",
                        "airlines.sunset",
                        "--partition-spec.airlines.sunset",
                        "month(departure_time)"))
                .hasMessageContaining("partitions by [departure_time]");
        assertThat(options(
                                "--topic-pattern",
                                "shop\\..*",
                                "--upsert-key.shop.orders",
                                "order_id",
                                "--partition-spec.shop.orders",
                                "bucket(8, order_id)")
                        .partitionSpec(TableIdentifier.parse("shop.orders")))
                .isEqualTo("bucket(8, order_id)");
    }

    @Test
    void acceptsUnpartitionedTablesAndTablesPartitionedByKeyColumns() {
        UpsertKeys keys = keys("reference,departure_time");

        keys.check(create("none"), BOOKINGS);
        catalog.dropTable(BOOKINGS);
        keys.check(create("bucket(16, reference), day(departure_time)"), BOOKINGS);
        // An append table is never checked.
        UpsertKeys.none().check(create("agency"), TableIdentifier.parse("shop.other"));
    }

    @Test
    void refusesAPartitionColumnOutsideTheKeyNamingItAndTheWayOut() {
        Table table = create("month(departure_time)");

        assertThatThrownBy(() -> keys("reference").check(table, BOOKINGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Upsert into shop.bookings by key [reference]")
                .hasMessageContaining("partition field 'departure_time_month' (month of 'departure_time') is not")
                .hasMessageContaining("--partition-spec.shop.bookings=\"bucket(16, reference)\"")
                .hasMessageContaining("--partition-spec.shop.bookings=none")
                .hasMessageContaining("--upsert-key.shop.bookings");
    }

    @Test
    void anEarlierSpecOutsideTheKeyCountsUnlessTheTableIsNowUnpartitioned() {
        Table table = create("month(departure_time)");
        table.updateSpec()
                .removeField("departure_time_month")
                .addField(Expressions.bucket("reference", 4))
                .commit();
        table.refresh();

        // Rows written under the month spec would never meet a delete written under the bucket spec.
        assertThatThrownBy(() -> keys("reference").check(table, BOOKINGS))
                .hasMessageContaining("'departure_time_month'")
                .hasMessageContaining("earlier partition spec 0");

        table.updateSpec().removeField(Expressions.bucket("reference", 4)).commit();
        table.refresh();
        assertThat(table.spec().isUnpartitioned()).isTrue();
        // Unpartitioned deletes apply to every data file, whatever spec it was written in.
        keys("reference").check(table, BOOKINGS);
    }

    @Test
    void refusesKeyColumnsThatAreMissingNestedOrFloatingPoint() {
        Table table = create("none");

        assertThatThrownBy(() -> keys("booking_ref").check(table, BOOKINGS))
                .hasMessageContaining("'booking_ref' is not a column of shop.bookings")
                .hasMessageContaining("reference");
        assertThatThrownBy(() -> keys("price").check(table, BOOKINGS))
                .hasMessageContaining("'price' of shop.bookings is double");
        assertThatThrownBy(() -> keys("seat").check(table, BOOKINGS)).hasMessageContaining("primitive type");
        // Optional columns are fine: equality deletes match null to null.
        keys("reference,agency").check(table, BOOKINGS);
    }

    @Test
    void refusesFormatVersionOne() {
        Table table = catalog.createTable(
                BOOKINGS, BOOKINGS_SCHEMA, PartitionSpec.unpartitioned(), Map.of("format-version", "1"));

        assertThatThrownBy(() -> keys("reference").check(table, BOOKINGS))
                .hasMessageContaining("format version 2 or later")
                .hasMessageContaining("version 1");
    }

    @Test
    void travelsWithTheJobGraph() {
        UpsertKeys keys = options("--upsert-tables", "airlines.sunset").upsertKeys();

        UpsertKeys copy = SerializationUtil.deserializeFromBytes(SerializationUtil.serializeToBytes(keys));

        assertThat(copy.key(SUNSET)).contains(List.of("reference_number"));
        assertThat(copy.isUpsert(SKY_ONE)).isFalse();
    }

    private Table create(String spec) {
        TableIdentifier identifier = catalog.tableExists(BOOKINGS) ? TableIdentifier.parse("shop.other") : BOOKINGS;
        return catalog.createTable(
                identifier,
                BOOKINGS_SCHEMA,
                PartitionSpecs.parse(spec, BOOKINGS_SCHEMA),
                Map.of("format-version", "2"));
    }

    private static UpsertKeys keys(String key) {
        return UpsertKeys.parse(List.of(), Map.of(BOOKINGS.toString(), key), List.of(BOOKINGS), false);
    }

    private static AvroToIcebergOptions options(String... args) {
        return AvroToIcebergOptions.from(JobArguments.parse(args, Map.of()));
    }
}
