package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.iceberg.IcebergTables;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.TableCreator;

/** Creates the tables the sink meets first with the job's table properties, in format v2 (see IcebergTables). */
final class PropertiesTableCreator implements TableCreator {

    private static final long serialVersionUID = 1L;

    private final Map<String, String> tableProperties;

    PropertiesTableCreator(Map<String, String> tableProperties) {
        this.tableProperties = new TreeMap<>(tableProperties);
    }

    @Override
    public Table createTable(Catalog catalog, TableIdentifier identifier, Schema schema, PartitionSpec spec) {
        return IcebergTables.create(catalog, identifier, schema, spec, tableProperties);
    }
}
