package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.avro.ConfluentSchemaCoder;
import dev.flinkkickstarter.common.avro.SchemaRegistryClient;
import dev.flinkkickstarter.common.avro.SchemaRegistryException;
import dev.flinkkickstarter.common.config.ClientSettings;
import dev.flinkkickstarter.common.iceberg.AvroSchemas;
import dev.flinkkickstarter.common.iceberg.IcebergTables;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the job does to its tables at start, before any record is read. */
final class TablePreparation {

    private static final Logger LOG = LoggerFactory.getLogger(TablePreparation.class);

    private TablePreparation() {}

    /**
     * Creates or evolves the unified flight table (its schema is this job's); creates each listed topic's raw table
     * that does not exist yet from its subject's latest registered schema, so that table maintenance can watch it
     * from the start; sets the table properties on the raw tables that existed; refuses an upsert table that cannot
     * hold one row per key ({@link UpsertKeys#check}). Returns the tables that exist now.
     * A listed topic without a registered schema, and every topic found by pattern, gets its table from the sink
     * with the first row ({@link PropertiesTableCreator}).
     */
    static List<TableIdentifier> prepareTables(
            CatalogLoader catalogLoader,
            AvroToIcebergOptions options,
            ClientSettings settings,
            RecordsToRows.Builder toRows)
            throws IOException {
        List<TableIdentifier> prepared = new ArrayList<>();
        Catalog catalog = catalogLoader.loadCatalog();
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(settings.schemaRegistry())) {
            if (options.flightTable().isPresent()) {
                TableIdentifier flightTable = options.flightTable().get();
                Table table = IcebergTables.createOrEvolve(
                        catalog,
                        flightTable,
                        KafkaLineage.appendTo(FlightMapping.FLIGHT_SCHEMA),
                        partitioning(catalog, flightTable, options),
                        options.tableProperties());
                options.upsertKeys().check(table, flightTable);
                toRows.flightTable(flightTable, table.schema(), table.spec());
                prepared.add(flightTable);
            }
            for (TopicRoute route : options.routes()) {
                Function<Schema, PartitionSpec> partitioning = partitioning(catalog, route.table(), options);
                if (catalog.tableExists(route.table())) {
                    Table table = catalog.loadTable(route.table());
                    options.upsertKeys().check(table, route.table());
                    IcebergTables.updateProperties(table, options.tableProperties());
                    IcebergTables.ensureMainBranch(table);
                    prepared.add(route.table());
                } else if (createRawTable(catalog, registry, route, partitioning, options)) {
                    options.upsertKeys().check(catalog.loadTable(route.table()), route.table());
                    prepared.add(route.table());
                }
            }
        } finally {
            // The REST catalog holds an HTTP client; the job's operators open their own catalogs on the cluster.
            if (catalog instanceof Closeable closeable) {
                closeable.close();
            }
        }
        return prepared;
    }

    /**
     * Creates {@code route}'s raw table from its subject's latest schema; false if the subject has none yet or the
     * schema has no table form (its records are then dead-lettered with the reason, as for any writer schema).
     */
    private static boolean createRawTable(
            Catalog catalog,
            SchemaRegistryClient registry,
            TopicRoute route,
            Function<Schema, PartitionSpec> partitioning,
            AvroToIcebergOptions options)
            throws IOException {
        String subject = ConfluentSchemaCoder.valueSubject(route.topic());
        Schema schema;
        try {
            schema = KafkaLineage.appendTo(
                    AvroSchemas.toIceberg(registry.latest(subject).schema()));
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() != 404) {
                throw e;
            }
            LOG.warn("Subject {} has no schema yet: table {} is created with its first row", subject, route.table());
            return false;
        } catch (IllegalArgumentException e) {
            LOG.warn("The latest schema of subject {} has no table form: {}", subject, e.getMessage());
            return false;
        }
        try {
            IcebergTables.create(catalog, route.table(), schema, partitioning.apply(schema), options.tableProperties());
        } catch (AlreadyExistsException createdConcurrently) {
            LOG.info("Iceberg table {} was created concurrently", route.table());
        }
        return true;
    }

    private static Function<Schema, PartitionSpec> partitioning(
            Catalog catalog, TableIdentifier table, AvroToIcebergOptions options) {
        return TablePartitioning.checked(catalog, table, options.partitionSpec(table));
    }
}
