package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job against a real Iceberg REST catalog server instead of the default hadoop catalog. */
class RestCatalogITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final IcebergRestCatalogExtension REST_CATALOG = new IcebergRestCatalogExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @Test
    void writesThroughTheRestCatalog() throws Exception {
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "rest", REST_CATALOG.warehouse())
                .withCatalogFlags(Map.of("catalog-type", "rest", "catalog.uri", REST_CATALOG.uri()))
                .createTopicsAndSchemas(2);
        FlightPipeline.Flights flights = pipeline.produce(100);

        JobClient job = pipeline.start(pipeline.jobArgs());
        try {
            pipeline.awaitRows(SKY_ONE_TABLE, 100);
            pipeline.awaitRows(SUNSET_TABLE, 100);
            pipeline.awaitRows(FLIGHT_TABLE, 200);
        } finally {
            FlightPipeline.stop(job);
        }

        assertThat(((SupportsNamespaces) pipeline.catalog()).namespaceExists(Namespace.of("airlines")))
                .isTrue();
        assertThat(pipeline.catalog().loadTable(SKY_ONE_TABLE).location())
                .contains(REST_CATALOG.warehouse().toString());
        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), flights.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), flights.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), flights);
    }
}
