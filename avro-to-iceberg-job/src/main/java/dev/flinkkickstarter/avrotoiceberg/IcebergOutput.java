package dev.flinkkickstarter.avrotoiceberg;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkWriteOptions;
import org.apache.iceberg.flink.sink.dynamic.DynamicIcebergSink;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;

/** Where the decoded rows go: Iceberg's dynamic sink, set up for this job. */
final class IcebergOutput {

    private IcebergOutput() {}

    /**
     * Iceberg's dynamic sink: each record names its table and carries its row schema; the sink creates absent
     * tables, adds columns before committing rows that need them (never drops one), writes data files
     * continuously and commits every table once per checkpoint.
     */
    static void append(DataStream<DynamicRecord> records, CatalogLoader catalogLoader, AvroToIcebergOptions options) {
        DynamicIcebergSink.Builder<DynamicRecord> sink = DynamicIcebergSink.forInput(records)
                .generator(new PassThroughGenerator())
                .catalogLoader(catalogLoader)
                .tableCreator(new PropertiesTableCreator(options.tableProperties()))
                // Schema changes are committed by the operator that meets them, before its rows are written, also
                // when rows are shuffled to the writers.
                .immediateTableUpdate(true)
                .dropUnusedColumns(false)
                .uidPrefix("iceberg");
        options.parallelism().ifPresent(sink::writeParallelism);
        options.targetFileSizeBytes()
                .ifPresent(bytes -> sink.set(FlinkWriteOptions.TARGET_FILE_SIZE_BYTES.key(), String.valueOf(bytes)));
        sink.append();
    }
}
