package dev.flinkkickstarter.avrotoiceberg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster the job's integration tests run on. */
final class TestClusters {

    private TestClusters() {}

    /**
     * One TaskManager with enough slots for the job at parallelism 2, and a bounded restart strategy:
     * a failing job restarts a few times, then fails the test instead of hanging it.
     */
    static MiniClusterExtension miniCluster() {
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        // Iceberg's static worker pool (table scans, maintenance) keeps the context class loader of the job whose
        // task started its threads. Here Iceberg is on the test's class path, so that pool outlives the job and
        // serves the test's own reads afterwards; on a cluster each job loads Iceberg, and its pool, from its jar.
        configuration.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(4)
                .build());
    }

    /**
     * How often the job restarted so far (Flink's {@code numRestarts} metric, read through the cluster's
     * REST API); -1 while the metric is not reported yet.
     */
    static long restarts(MiniClusterExtension cluster, JobID job) throws Exception {
        Configuration client = cluster.getClientConfiguration();
        URI uri = URI.create("http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT) + "/jobs/"
                + job + "/metrics?get=numRestarts");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode metric : new ObjectMapper().readTree(response.body())) {
            if (metric.path("id").asText().equals("numRestarts")) {
                return metric.path("value").asLong(-1);
            }
        }
        return -1;
    }
}
