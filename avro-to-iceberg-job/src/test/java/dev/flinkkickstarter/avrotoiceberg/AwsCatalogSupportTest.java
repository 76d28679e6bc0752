package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.Test;

/**
 * The Iceberg runtime jar carries S3FileIO and GlueCatalog but not the AWS SDK they call: these build
 * their clients from the job's own dependencies (no request is sent), as the Docker MinIO profile and
 * the documented Glue + S3 setup need.
 */
class AwsCatalogSupportTest {

    private static final Map<String, String> OFFLINE_AWS = Map.of(
            "client.region", "us-east-1",
            "s3.endpoint", "http://127.0.0.1:9000",
            "s3.path-style-access", "true",
            "s3.access-key-id", "test",
            "s3.secret-access-key", "test");

    @Test
    void s3FileIoBuildsItsS3Client() throws Exception {
        FileIO io = CatalogUtil.loadFileIO(S3FileIO.class.getName(), OFFLINE_AWS, null);
        try (io) {
            assertThat(((S3FileIO) io).client().serviceName()).isEqualTo("s3");
        }
    }

    @Test
    void glueCatalogInitializes() {
        Map<String, String> properties = new java.util.HashMap<>(OFFLINE_AWS);
        properties.put("warehouse", "s3://warehouse/iceberg");
        Catalog catalog = CatalogUtil.loadCatalog("org.apache.iceberg.aws.glue.GlueCatalog", "glue", properties, null);

        assertThat(catalog.name()).isEqualTo("glue");
    }
}
