package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.maintenance.api.DeleteOrphanFiles;
import org.apache.iceberg.flink.maintenance.api.ExpireSnapshots;
import org.apache.iceberg.flink.maintenance.api.RewriteDataFiles;
import org.apache.iceberg.flink.maintenance.api.TableMaintenance;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps streamed-into tables fast: per table, one pipeline of Iceberg's Flink table maintenance in the
 * job's graph. A monitor source polls the table; after enough commits (or time) small data files are
 * compacted, then old snapshots expire (with the files only they referenced), and now and then files no
 * snapshot references (left by failed writes) are deleted once they are old enough.
 *
 * <p>It reads only the tables, never the sink: any writer's commits count. Iceberg commits optimistically,
 * so a compaction racing an ingestion commit retries or fails as a whole, never half-applied; the
 * maintenance tasks of one table never run at the same time (Iceberg's lock, held by the job's own
 * coordinator: no lock server). Per table, Iceberg's operators log each run and report Flink metrics
 * under {@code maintenance.tableName.<table>.taskName.<task>}; one {@link ExpiredSnapshotsReport} for all tables
 * adds the count of expired snapshots, which Iceberg does not report.
 */
final class TableMaintenancePipelines {

    private static final Logger LOG = LoggerFactory.getLogger(TableMaintenancePipelines.class);

    private TableMaintenancePipelines() {}

    /** Adds one maintenance pipeline per table to {@code env}, unless maintenance is off; the tables must exist. */
    static void addTo(
            StreamExecutionEnvironment env,
            CatalogLoader catalogLoader,
            Collection<TableIdentifier> tables,
            TableMaintenanceSettings settings)
            throws IOException {
        checkNotNull(env, "env");
        checkNotNull(catalogLoader, "catalogLoader");
        checkNotNull(tables, "tables");
        checkNotNull(settings, "settings");
        if (!settings.enabled()) {
            LOG.info("Table maintenance is off for {}", tables);
            return;
        }
        for (TableIdentifier table : tables) {
            LOG.info("Table maintenance for {}: {}", table, settings);
            TableLoader tableLoader = TableLoader.fromCatalog(catalogLoader, table);
            TableMaintenance.forTable(env, tableLoader)
                    // Stable uids: the pipelines' state (what has been triggered when) survives a savepoint.
                    .uidSuffix("maintenance-" + table)
                    .rateLimit(settings.checkInterval())
                    .lockCheckDelay(settings.checkInterval())
                    // Small, occasional work: one subtask each, in the job's slots, beside the writers.
                    .parallelism(1)
                    .add(compaction(settings))
                    .add(ExpireSnapshots.builder()
                            .scheduleOnCommitCount(settings.triggerCommits())
                            .scheduleOnInterval(settings.triggerInterval())
                            .retainLast(settings.keepSnapshots())
                            .maxSnapshotAge(settings.snapshotMaxAge()))
                    .add(DeleteOrphanFiles.builder()
                            .scheduleOnInterval(settings.orphanCleanupInterval())
                            .minAge(settings.orphanMinAge())
                            .usePrefixListing(listsByPrefix(tableLoader)))
                    .append();
        }
        if (!tables.isEmpty()) {
            env.fromSource(
                            ticks(settings.checkInterval()),
                            WatermarkStrategy.noWatermarks(),
                            "Maintenance report ticks")
                    .uid("maintenance-report-ticks")
                    .setParallelism(1)
                    .process(new ExpiredSnapshotsReport(catalogLoader, List.copyOf(tables)))
                    .name("Expired snapshots report")
                    .uid("maintenance-expired-snapshots-report")
                    .setParallelism(1);
        }
    }

    /** One tick per {@code interval}, for as long as the job runs. */
    private static DataGeneratorSource<Long> ticks(Duration interval) {
        return new DataGeneratorSource<>(
                index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(1.0 / interval.toSeconds()), Types.LONG);
    }

    private static RewriteDataFiles.Builder compaction(TableMaintenanceSettings settings) {
        RewriteDataFiles.Builder compaction = RewriteDataFiles.builder()
                .scheduleOnCommitCount(settings.triggerCommits())
                .scheduleOnInterval(settings.triggerInterval())
                // One commit per file group, as each group is rewritten: Iceberg 1.11's commit service commits
                // a batch in the rewriting thread when the batch is full, but its own thread busy-spins while it
                // holds a part of one or a commit runs (it sleeps only when idle), so one commit of all groups
                // kept a core spinning for the whole run. Each commit replaces its group's files atomically.
                // Groups per commit = ceil(groups / max commits): the maximum makes it 1.
                .partialProgressEnabled(true)
                .partialProgressMaxCommits(Integer.MAX_VALUE);
        settings.targetFileSizeBytes().ifPresent(compaction::targetFileSizeBytes);
        return compaction;
    }

    /**
     * Orphan-file removal lists the table's directory through its FileIO where that can list (S3, GCS,
     * Azure, HadoopFileIO, the local LocalFileIO), else through Hadoop's file systems.
     */
    private static boolean listsByPrefix(TableLoader tableLoader) throws IOException {
        try (TableLoader loader = tableLoader.clone()) {
            loader.open();
            Table table = loader.loadTable();
            return table.io() instanceof SupportsPrefixOperations;
        }
    }
}
