package dev.flinkkickstarter.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IcebergCatalogsTest {

    @Test
    void defaultsToAHadoopCatalogOnALocalWarehouse() {
        assertThat(IcebergCatalogs.withDefaults(Map.of()))
                .containsEntry(IcebergCatalogs.TYPE, "hadoop")
                .containsEntry(IcebergCatalogs.WAREHOUSE, IcebergCatalogs.DEFAULT_LOCAL_WAREHOUSE)
                .containsEntry(IcebergCatalogs.NAME, IcebergCatalogs.DEFAULT_NAME)
                .containsEntry(IcebergCatalogs.IO_IMPL, LocalFileIO.class.getName());
    }

    @Test
    void localFileIoOnlyForLocalWarehousesWithoutAnIoImpl() {
        assertThat(IcebergCatalogs.withDefaults(Map.of(IcebergCatalogs.WAREHOUSE, "/data/warehouse")))
                .containsEntry(IcebergCatalogs.IO_IMPL, LocalFileIO.class.getName());
        assertThat(IcebergCatalogs.withDefaults(Map.of(IcebergCatalogs.WAREHOUSE, "hdfs://namenode/warehouse")))
                .doesNotContainKey(IcebergCatalogs.IO_IMPL);
        assertThat(IcebergCatalogs.withDefaults(Map.of(
                        IcebergCatalogs.WAREHOUSE, "file:/data/warehouse",
                        IcebergCatalogs.IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO")))
                .containsEntry(IcebergCatalogs.IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
        assertThat(IcebergCatalogs.withDefaults(
                        Map.of(IcebergCatalogs.TYPE, "rest", IcebergCatalogs.WAREHOUSE, "file:/data/warehouse")))
                .doesNotContainKey(IcebergCatalogs.IO_IMPL);
    }

    @Test
    void customImplementationGetsNoTypeDefaults() {
        assertThat(IcebergCatalogs.withDefaults(Map.of(IcebergCatalogs.CATALOG_IMPL, "com.example.Catalog")))
                .doesNotContainKeys(IcebergCatalogs.TYPE, IcebergCatalogs.WAREHOUSE);
    }

    @Test
    void rejectsUnknownTypesAndRestWithoutUri() {
        assertThatThrownBy(() -> IcebergCatalogs.loader(Map.of(IcebergCatalogs.TYPE, "unity")))
                .hasMessageContaining("Unknown Iceberg catalog type 'unity'");
        assertThatThrownBy(() -> IcebergCatalogs.loader(Map.of(IcebergCatalogs.TYPE, "REST")))
                .hasMessageContaining("needs the 'uri' property");
    }

    @Test
    void refusesTheHadoopCatalogOnObjectStores() {
        for (String warehouse : new String[] {"s3://bucket/warehouse", "S3A://bucket/warehouse", "gs://bucket/w"}) {
            assertThatThrownBy(() -> IcebergCatalogs.loader(Map.of(IcebergCatalogs.WAREHOUSE, warehouse)))
                    .as(warehouse)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("The hadoop catalog cannot keep tables in '" + warehouse + "'")
                    .hasMessageContaining("use the rest catalog");
        }
        // The same warehouse is fine for the catalogs that do not commit by renaming files.
        assertThat(IcebergCatalogs.loader(Map.of(
                        IcebergCatalogs.TYPE, "rest",
                        IcebergCatalogs.URI, "http://127.0.0.1:8181",
                        IcebergCatalogs.WAREHOUSE, "s3://bucket/warehouse")))
                .isNotNull();
        assertThat(IcebergCatalogs.loader(Map.of(IcebergCatalogs.WAREHOUSE, "hdfs://namenode/warehouse")))
                .isNotNull();
    }

    @Test
    void describeRedactsCredentials() {
        Map<String, String> described = IcebergCatalogs.describe(Map.of(
                IcebergCatalogs.TYPE,
                "rest",
                IcebergCatalogs.URI,
                "https://catalog.example.com",
                "credential",
                "client:secret-value",
                "s3.secret-access-key",
                "another-secret"));

        assertThat(described.toString()).doesNotContain("secret-value", "another-secret");
        assertThat(described).containsEntry(IcebergCatalogs.URI, "https://catalog.example.com");
    }
}
