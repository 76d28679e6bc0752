package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergTablesTest {

    private static final TableIdentifier BOOKINGS = TableIdentifier.of("airlines", "bookings");

    private static final Schema V1 = new Schema(
            Types.NestedField.required(1, "email", Types.StringType.get()),
            Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()),
            Types.NestedField.required(3, "seats", Types.IntegerType.get()));

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
    void createsNamespaceAndVersionTwoTableWithTheSpec() {
        Table table = IcebergTables.createOrEvolve(
                catalog,
                BOOKINGS,
                V1,
                schema -> PartitionSpec.builderFor(schema).day("departure_time").build(),
                Map.of());

        assertThat(table.schema().asStruct()).isEqualTo(V1.asStruct());
        assertThat(((HasTableOperations) table).operations().current().formatVersion())
                .isEqualTo(2);
        assertThat(table.spec().fields())
                .singleElement()
                .satisfies(field -> assertThat(field.name()).isEqualTo("departure_time_day"));
    }

    @Test
    void createsTablesWithTheirMainBranchSoThatNoWriterHasToCreateIt() {
        Table table = IcebergTables.create(catalog, BOOKINGS, V1, PartitionSpec.unpartitioned(), Map.of());

        assertThat(table.refs()).containsKey(SnapshotRef.MAIN_BRANCH);
        assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "0");
        assertThatThrownBy(() -> IcebergTables.create(catalog, BOOKINGS, V1, PartitionSpec.unpartitioned(), Map.of()))
                .isInstanceOf(AlreadyExistsException.class);
    }

    @Test
    void givesAnExistingTableWithoutSnapshotsItsMainBranchOnce() {
        catalog.createTable(BOOKINGS, V1); // as another tool or an older release of the job creates it
        assertThat(catalog.loadTable(BOOKINGS).refs()).doesNotContainKey(SnapshotRef.MAIN_BRANCH);

        IcebergTables.createOrEvolve(catalog, BOOKINGS, V1, s -> PartitionSpec.unpartitioned(), Map.of());
        Table table = catalog.loadTable(BOOKINGS);
        assertThat(table.refs()).containsKey(SnapshotRef.MAIN_BRANCH);
        int metadataVersions = metadataLog(table);

        IcebergTables.ensureMainBranch(table);
        assertThat(metadataLog(catalog.loadTable(BOOKINGS))).isEqualTo(metadataVersions);
    }

    @Test
    void addsNewOptionalColumnsAndWidensTypes() {
        create(V1);
        Schema v2 = new Schema(
                Types.NestedField.required(1, "email", Types.StringType.get()),
                Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()),
                Types.NestedField.required(3, "seats", Types.LongType.get()),
                Types.NestedField.optional(4, "meal", Types.StringType.get()));

        Table table = create(v2);

        assertThat(table.schema().findField("meal").isOptional()).isTrue();
        assertThat(table.schema().findField("seats").type()).isEqualTo(Types.LongType.get());
        assertThat(table.schema().findField("email").fieldId())
                .isEqualTo(
                        catalog.loadTable(BOOKINGS).schema().findField("email").fieldId());
    }

    @Test
    void sameSchemaLeavesTheTableAlone() {
        Table created = create(V1);

        Table again = create(V1);

        assertThat(again.schema().schemaId()).isEqualTo(created.schema().schemaId());
    }

    @Test
    void typeChangeFailsLoudlyNamingTheColumn() {
        create(V1);
        Schema changed = new Schema(
                Types.NestedField.required(1, "email", Types.StringType.get()),
                Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()),
                Types.NestedField.required(3, "seats", Types.StringType.get()));

        assertThatThrownBy(() -> create(changed))
                .isInstanceOf(IcebergTables.IncompatibleSchemaException.class)
                .hasMessageContaining("column 'seats' changes type from int to string");
    }

    @Test
    void droppingARequiredColumnFailsLoudly() {
        create(V1);
        Schema dropped = new Schema(
                Types.NestedField.required(1, "email", Types.StringType.get()),
                Types.NestedField.required(2, "departure_time", Types.TimestampType.withZone()));

        assertThatThrownBy(() -> create(dropped))
                .isInstanceOf(IcebergTables.IncompatibleSchemaException.class)
                .hasMessageContaining("required column 'seats' (int) is missing");
        assertThat(catalog.loadTable(BOOKINGS).schema().asStruct()).isEqualTo(V1.asStruct());
    }

    @Test
    void createsWithTablePropertiesAndSetsChangedOnesOnLaterStarts() {
        Table created = IcebergTables.createOrEvolve(
                catalog,
                BOOKINGS,
                V1,
                s -> PartitionSpec.unpartitioned(),
                Map.of("write.parquet.dict-size-bytes", "65536", "commit.retry.num-retries", "7"));
        assertThat(created.properties())
                .containsEntry("write.parquet.dict-size-bytes", "65536")
                .containsEntry("commit.retry.num-retries", "7");
        catalog.loadTable(BOOKINGS).updateProperties().set("owner", "data-eng").commit();

        IcebergTables.createOrEvolve(
                catalog,
                BOOKINGS,
                V1,
                s -> PartitionSpec.unpartitioned(),
                Map.of("write.parquet.dict-size-bytes", "32768", "commit.retry.num-retries", "7"));

        assertThat(catalog.loadTable(BOOKINGS).properties())
                .containsEntry("write.parquet.dict-size-bytes", "32768")
                .containsEntry("commit.retry.num-retries", "7")
                .containsEntry("owner", "data-eng");
    }

    @Test
    void unchangedTablePropertiesMakeNoCommit() {
        Map<String, String> properties = Map.of("write.parquet.dict-size-bytes", "65536");
        IcebergTables.createOrEvolve(catalog, BOOKINGS, V1, s -> PartitionSpec.unpartitioned(), properties);
        int metadataVersions = metadataLog(catalog.loadTable(BOOKINGS));

        IcebergTables.createOrEvolve(catalog, BOOKINGS, V1, s -> PartitionSpec.unpartitioned(), properties);

        assertThat(metadataLog(catalog.loadTable(BOOKINGS))).isEqualTo(metadataVersions);
    }

    @Test
    void writersMayDropColumnsAndSendNarrowerTypesThatConvertLosslessly() {
        Schema table = new Schema(
                Types.NestedField.required(1, "email", Types.StringType.get()),
                Types.NestedField.required(2, "seats", Types.LongType.get()),
                Types.NestedField.optional(3, "weight", Types.DoubleType.get()),
                Types.NestedField.optional(4, "price", Types.DecimalType.of(10, 2)));
        Schema writer = new Schema(
                Types.NestedField.required(1, "seats", Types.IntegerType.get()),
                Types.NestedField.optional(2, "weight", Types.FloatType.get()),
                Types.NestedField.optional(3, "price", Types.DecimalType.of(8, 2)),
                Types.NestedField.optional(4, "meal", Types.StringType.get()));

        assertThat(IcebergTables.writeIncompatibilities(table, writer)).isEmpty();
        assertThat(IcebergTables.writeIncompatibilities(writer, table))
                .as("and wider writer types are Iceberg promotions of the column")
                .isEmpty();
    }

    @Test
    void writersMayNotChangeAColumnsMeaning() {
        Schema table = new Schema(
                Types.NestedField.required(1, "code", Types.StringType.get()),
                Types.NestedField.optional(2, "price", Types.DecimalType.of(10, 2)),
                Types.NestedField.optional(3, "seats", Types.LongType.get()),
                Types.NestedField.optional(
                        4, "seat", Types.StructType.of(Types.NestedField.optional(5, "row", Types.IntegerType.get()))));
        Schema writer = new Schema(
                Types.NestedField.required(1, "code", Types.IntegerType.get()),
                Types.NestedField.optional(2, "price", Types.DecimalType.of(10, 3)),
                Types.NestedField.optional(3, "seats", Types.DoubleType.get()),
                Types.NestedField.optional(4, "seat", Types.StringType.get()));

        assertThat(IcebergTables.writeIncompatibilities(table, writer))
                .containsExactly(
                        "column 'code' changes type from string to int, which Iceberg cannot promote",
                        "column 'price' changes type from decimal(10, 2) to decimal(10, 3), which Iceberg cannot promote",
                        "column 'seats' changes type from long to double, which Iceberg cannot promote",
                        "column 'seat' changes type from struct<5: row: optional int> to string");
    }

    private static int metadataLog(Table table) {
        return ((HasTableOperations) table)
                .operations()
                .current()
                .previousFiles()
                .size();
    }

    private Table create(Schema schema) {
        return IcebergTables.createOrEvolve(catalog, BOOKINGS, schema, s -> PartitionSpec.unpartitioned(), Map.of());
    }

    @Test
    void refusesAnotherPartitionSpecForAnExistingTable() {
        IcebergTables.createOrEvolve(
                catalog, BOOKINGS, V1, schema -> PartitionSpecs.parse("day(departure_time)", schema), Map.of());
        IcebergTables.checkPartitioning(
                catalog,
                BOOKINGS,
                schema -> PartitionSpecs.parse("day(departure_time)", schema),
                "--partition-spec.airlines.bookings");
        IcebergTables.checkPartitioning(
                catalog,
                TableIdentifier.of("airlines", "absent"),
                schema -> PartitionSpecs.parse("bucket(4, email)", schema),
                "--partition-spec.airlines.absent");

        assertThatThrownBy(() -> IcebergTables.checkPartitioning(
                        catalog,
                        BOOKINGS,
                        schema -> PartitionSpecs.parse("month(departure_time), bucket(16, email)", schema),
                        "--partition-spec.airlines.bookings"))
                .isInstanceOf(IcebergTables.PartitionSpecMismatchException.class)
                .hasMessageContaining("is partitioned by day(departure_time) but --partition-spec.airlines.bookings"
                        + " asks for month(departure_time), bucket[16](email)")
                .hasMessageContaining("to the table's spec (day(departure_time)) to keep it");
        assertThatThrownBy(() -> IcebergTables.checkPartitioning(
                        catalog,
                        BOOKINGS,
                        schema -> PartitionSpec.unpartitioned(),
                        "--partition-spec.airlines.bookings"))
                .hasMessageContaining("asks for nothing (unpartitioned)");
    }
}
