package dev.flinkkickstarter.avrotoiceberg;

import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.FLIGHT_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SKY_ONE_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.SUNSET_TABLE;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertFlightTableMatches;
import static dev.flinkkickstarter.avrotoiceberg.FlightPipeline.assertRawTableMatches;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkkickstarter.testing.KafkaClusterExtension;
import dev.flinkkickstarter.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The cloud shape of the job: a REST catalog with the warehouse in S3, data and metadata written
 * through Iceberg's {@code S3FileIO} (the job's writers and the catalog server alike) to a real S3
 * API server (S3Proxy). Rows are read back with Iceberg's API, and the table's data files are
 * looked up in the bucket with a plain S3 client.
 */
class S3RestCatalogITCase {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    @RegisterExtension
    static final IcebergRestCatalogExtension REST_CATALOG = IcebergRestCatalogExtension.onS3(S3);

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestClusters.miniCluster();

    @Test
    void writesThroughS3FileIoToTheBucket(@TempDir Path unusedLocalWarehouse) throws Exception {
        Map<String, String> flags = new HashMap<>();
        flags.put("catalog-type", "rest");
        flags.put("catalog.uri", REST_CATALOG.uri());
        S3.fileIoProperties().forEach((property, value) -> flags.put("catalog." + property, value));
        FlightPipeline pipeline = new FlightPipeline(KAFKA, REGISTRY, "s3rest", unusedLocalWarehouse)
                .withCatalogFlags(flags)
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

        assertRawTableMatches(pipeline.rows(SKY_ONE_TABLE), flights.skyOne());
        assertRawTableMatches(pipeline.rows(SUNSET_TABLE), flights.sunset());
        assertFlightTableMatches(pipeline.rows(FLIGHT_TABLE), flights);
        try (S3Client s3 = S3.client()) {
            for (TableIdentifier identifier : List.of(SKY_ONE_TABLE, SUNSET_TABLE, FLIGHT_TABLE)) {
                Table table = pipeline.catalog().loadTable(identifier);
                assertThat(table.io()).isInstanceOf(S3FileIO.class);
                String location =
                        "s3://" + S3ProxyExtension.BUCKET + "/" + identifier.namespace() + "/" + identifier.name();
                assertThat(table.location()).isEqualTo(location);
                assertThat(table.currentSnapshot().manifestListLocation()).startsWith(location + "/metadata/");
                Set<String> dataFiles = dataFiles(table);
                assertThat(dataFiles)
                        .isNotEmpty()
                        .allSatisfy(file ->
                                assertThat(file).startsWith(location + "/data/").endsWith(".parquet"));
                assertThat(objects(s3, location + "/data/"))
                        .as("objects under %s/data/ in the bucket", location)
                        .containsAll(dataFiles);
            }
        }
    }

    private static Set<String> dataFiles(Table table) {
        Set<String> files = new HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            tasks.forEach(task -> files.add(task.file().location()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The {@code s3://} locations of the objects under {@code prefix} (an {@code s3://bucket/...} location). */
    private static Set<String> objects(S3Client s3, String prefix) {
        String key = prefix.substring(("s3://" + S3ProxyExtension.BUCKET + "/").length());
        Set<String> locations = new HashSet<>();
        for (S3Object object : s3.listObjectsV2Paginator(
                        request -> request.bucket(S3ProxyExtension.BUCKET).prefix(key))
                .contents()) {
            locations.add("s3://" + S3ProxyExtension.BUCKET + "/" + object.key());
        }
        return locations;
    }
}
