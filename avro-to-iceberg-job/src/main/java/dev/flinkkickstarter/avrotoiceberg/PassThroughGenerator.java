package dev.flinkkickstarter.avrotoiceberg;

import org.apache.flink.util.Collector;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

/** The decode operator already makes {@link DynamicRecord}s: the sink takes them as they are. */
final class PassThroughGenerator implements DynamicRecordGenerator<DynamicRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void generate(DynamicRecord record, Collector<DynamicRecord> out) {
        out.collect(record);
    }
}
