package dev.flinkkickstarter.localruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergWarehouseTest {

    private static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "flight_number", Types.StringType.get()),
            Types.NestedField.optional(2, "seats", Types.IntegerType.get()));

    @TempDir
    Path warehouse;

    @Test
    void countsOnlyCommittedRowsAndReadsThemBack() throws IOException {
        HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toString());
        catalog.createNamespace(Namespace.of("airlines"));
        Table table =
                catalog.createTable(TableIdentifier.parse("airlines.skyone"), SCHEMA, PartitionSpec.unpartitioned());
        IcebergWarehouse tables = IcebergWarehouse.at(warehouse.toUri().toString());

        assertThat(tables.rowCount("airlines.skyone")).isZero();
        assertThat(tables.rowCount("airlines.sunset")).isZero();
        assertThat(tables.exists("airlines.sunset")).isFalse();
        assertThat(tables.rows("airlines.sunset")).isEmpty();

        append(table, flight("SKY1", 180), flight("SKY2", null), flight("SKY3", 90));

        assertThat(tables.rowCount("airlines.skyone")).isEqualTo(3);
        assertThat(tables.rows("airlines.skyone")).hasSize(3);
        List<Record> firstTwo = tables.rows("airlines.skyone", 2);
        assertThat(firstTwo).hasSize(2);
        assertThat(IcebergReport.describe(firstTwo.get(0))).isEqualTo("{flight_number=SKY1, seats=180}");
    }

    private static Record flight(String number, Integer seats) {
        GenericRecord record = GenericRecord.create(SCHEMA);
        record.setField("flight_number", number);
        record.setField("seats", seats);
        return record;
    }

    private static void append(Table table, Record... rows) throws IOException {
        OutputFile file = table.io().newOutputFile(table.locationProvider().newDataLocation("rows.parquet"));
        DataWriter<Record> writer = new GenericAppenderFactory(SCHEMA)
                .newDataWriter(EncryptedFiles.plainAsEncryptedOutput(file), FileFormat.PARQUET, null);
        try (writer) {
            for (Record row : rows) {
                writer.write(row);
            }
        }
        DataFile dataFile = writer.toDataFile();
        table.newAppend().appendFile(dataFile).commit();
    }
}
