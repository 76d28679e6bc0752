package dev.flinkkickstarter.localruntime;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An Iceberg REST catalog on the loopback interface: Iceberg's own REST servlet and catalog adapter
 * (what {@code org.apache.iceberg.rest.RESTCatalogServer}, the server of Iceberg's REST fixture
 * image, runs) in front of a JDBC catalog on in-memory SQLite. Unlike that server it binds to
 * 127.0.0.1 only, and prints {@code Listening on: http://127.0.0.1:<port>/} when ready.
 *
 * <p>Configured like the fixture image, through environment variables: {@code CATALOG_REST_PORT}
 * (default 8181, 0 for a free port), {@code CATALOG_WAREHOUSE} (e.g. {@code file:/tmp/warehouse}),
 * and any other {@code CATALOG_<PROPERTY>} ({@code _} becomes {@code .}, {@code __} becomes {@code -}).
 * The catalog lives in memory: it is empty after every start.
 */
public final class IcebergRestCatalogServer {

    private static final String ENV_PREFIX = "CATALOG_";
    private static final String PORT = "rest.port";

    private IcebergRestCatalogServer() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put(CatalogProperties.CATALOG_IMPL, JdbcCatalog.class.getName());
        properties.put(CatalogProperties.URI, "jdbc:sqlite::memory:");
        properties.put("jdbc.schema-version", "V1");
        // Every SQLite in-memory connection is its own empty database: one pooled connection keeps one catalog.
        properties.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                properties.put(propertyName(name.substring(ENV_PREFIX.length())), value);
            }
        });
        if (!properties.containsKey(CatalogProperties.WAREHOUSE_LOCATION)) {
            throw new IllegalArgumentException("Set CATALOG_WAREHOUSE, e.g. file:/tmp/iceberg-warehouse");
        }
        int port = Integer.parseInt(properties.getOrDefault(PORT, "8181"));

        Catalog catalog = CatalogUtil.buildIcebergCatalog("rest_backend", properties, new Configuration());
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.addServlet(new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(catalog))), "/*");
        Server server = new Server(new InetSocketAddress("127.0.0.1", port));
        server.setHandler(context);
        server.start();
        int boundPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        System.out.println("Listening on: http://127.0.0.1:" + boundPort + "/");
        server.join();
    }

    /** {@code S3_ENDPOINT} to {@code s3.endpoint}, {@code IO__IMPL} to {@code io-impl}. */
    private static String propertyName(String variable) {
        return variable.replace("__", "-").replace('_', '.').toLowerCase(Locale.ROOT);
    }
}
