package dev.flinkkickstarter.common.iceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.flinkkickstarter.common.config.Secrets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * Iceberg catalogs from plain catalog properties, with Iceberg's own property names ({@code type},
 * {@code warehouse}, {@code uri}, {@code credential}, {@code token}, {@code io-impl}, {@code
 * catalog-impl}, {@code s3.*}, {@code client.region}, ...), so any setting Iceberg documents can be
 * passed through unchanged.
 *
 * <ul>
 *   <li>{@code type=hadoop} (default): tables under {@code warehouse}, a local directory unless it
 *       names another file system. Zero setup, one writer per table at a time. On a local
 *       warehouse, files are written with {@link LocalFileIO} unless {@code io-impl} says otherwise.
 *       Refused on object stores ({@code s3://}, {@code gs://}, ...): its commit is a rename.
 *   <li>{@code type=rest}: an Iceberg REST catalog at {@code uri}, optionally with {@code
 *       credential} (OAuth2 client credentials) or {@code token}, and {@code warehouse}.
 *   <li>{@code type=glue}: AWS Glue with S3 storage ({@code warehouse=s3://bucket/prefix}, {@code
 *       io-impl=org.apache.iceberg.aws.s3.S3FileIO}); needs Iceberg's AWS bundle on the classpath.
 *   <li>{@code catalog-impl=<class>}: any other {@link org.apache.iceberg.catalog.Catalog}.
 * </ul>
 */
public final class IcebergCatalogs {

    public static final String TYPE = CatalogUtil.ICEBERG_CATALOG_TYPE;
    public static final String WAREHOUSE = CatalogProperties.WAREHOUSE_LOCATION;
    public static final String URI = CatalogProperties.URI;
    public static final String CATALOG_IMPL = CatalogProperties.CATALOG_IMPL;
    public static final String IO_IMPL = CatalogProperties.FILE_IO_IMPL;
    /** Catalog name used in Iceberg's logs and metrics; not part of any table identifier here. */
    public static final String NAME = "name";

    public static final String DEFAULT_TYPE = CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP;
    public static final String DEFAULT_NAME = "iceberg";
    /** Where the zero-setup {@code hadoop} catalog keeps its tables unless told otherwise. */
    public static final String DEFAULT_LOCAL_WAREHOUSE = Path.of(
                    System.getProperty("java.io.tmpdir"), "flink-kickstarter", "warehouse")
            .toUri()
            .toString();

    /** Object stores without an atomic rename, which the hadoop catalog's commits rely on. */
    private static final Pattern OBJECT_STORE =
            Pattern.compile("^(s3|s3a|s3n|gs|oss|abfss?|wasbs?):", Pattern.CASE_INSENSITIVE);

    private static final Map<String, String> IMPLEMENTATIONS = Map.of(
            CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP, CatalogUtil.ICEBERG_CATALOG_HADOOP,
            CatalogUtil.ICEBERG_CATALOG_TYPE_REST, CatalogUtil.ICEBERG_CATALOG_REST,
            CatalogUtil.ICEBERG_CATALOG_TYPE_GLUE, CatalogUtil.ICEBERG_CATALOG_GLUE,
            CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC, CatalogUtil.ICEBERG_CATALOG_JDBC,
            CatalogUtil.ICEBERG_CATALOG_TYPE_NESSIE, CatalogUtil.ICEBERG_CATALOG_NESSIE);

    private IcebergCatalogs() {}

    /**
     * A serializable loader for the catalog the properties describe: the job's sinks and committers
     * open their own catalog connection on the TaskManagers through it.
     */
    public static CatalogLoader loader(Map<String, String> catalogProperties) {
        Map<String, String> properties = withDefaults(catalogProperties);
        String implementation = properties.containsKey(CATALOG_IMPL)
                ? properties.get(CATALOG_IMPL)
                : IMPLEMENTATIONS.get(properties.get(TYPE));
        checkArgument(
                implementation != null,
                "Unknown Iceberg catalog type '%s': use one of %s, or set '%s' to a Catalog class",
                properties.get(TYPE),
                IMPLEMENTATIONS.keySet(),
                CATALOG_IMPL);
        if (!properties.containsKey(CATALOG_IMPL)
                && properties.get(TYPE).equals(CatalogUtil.ICEBERG_CATALOG_TYPE_REST)) {
            checkArgument(properties.containsKey(URI), "The Iceberg REST catalog needs the '%s' property", URI);
        }
        if (!properties.containsKey(CATALOG_IMPL)
                && properties.get(TYPE).equals(CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP)) {
            checkArgument(
                    !OBJECT_STORE.matcher(properties.get(WAREHOUSE)).find(),
                    "The hadoop catalog cannot keep tables in '%s': it commits by renaming a file, which object"
                            + " stores do not do atomically (concurrent commits could lose one another's data), and"
                            + " the job ships no Hadoop file system for them. For a warehouse in S3 use the rest"
                            + " catalog (with io-impl=org.apache.iceberg.aws.s3.S3FileIO) or the glue catalog:"
                            + " see the README's \"Iceberg on S3\"",
                    properties.get(WAREHOUSE));
        }
        return CatalogLoader.custom(properties.get(NAME), properties, hadoopConfiguration(), implementation);
    }

    /**
     * The properties with defaults filled in: {@code type=hadoop}, and for that type a local
     * warehouse directory and, where the warehouse is local, {@code io-impl=}{@link LocalFileIO}.
     * Keys are Iceberg's; values may be secrets, so print only {@link #describe(Map)}.
     */
    public static Map<String, String> withDefaults(Map<String, String> catalogProperties) {
        checkNotNull(catalogProperties, "catalogProperties");
        Map<String, String> properties = new HashMap<>(catalogProperties);
        properties.putIfAbsent(NAME, DEFAULT_NAME);
        if (!properties.containsKey(CATALOG_IMPL)) {
            properties.put(TYPE, properties.getOrDefault(TYPE, DEFAULT_TYPE).toLowerCase(Locale.ROOT));
            if (properties.get(TYPE).equals(CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP)) {
                properties.putIfAbsent(WAREHOUSE, DEFAULT_LOCAL_WAREHOUSE);
                if (LocalFileIO.isLocal(properties.get(WAREHOUSE))) {
                    properties.putIfAbsent(IO_IMPL, LocalFileIO.class.getName());
                }
            }
        }
        return Map.copyOf(properties);
    }

    /** The properties for a log line: secrets ({@code credential}, {@code token}, keys) redacted. */
    public static Map<String, String> describe(Map<String, String> catalogProperties) {
        return Secrets.redacted(withDefaults(catalogProperties));
    }

    /**
     * A Hadoop configuration without the cluster's {@code *-site.xml} files: Iceberg only needs it
     * for {@code HadoopFileIO} on local or HDFS paths, and loading site files from the classpath
     * would make the job's behaviour depend on whatever jar happens to ship one.
     */
    static Configuration hadoopConfiguration() {
        Configuration configuration = new Configuration(false);
        // The local file system is all the defaults must provide; other schemes come from io-impl.
        configuration.set("fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
        return configuration;
    }
}
