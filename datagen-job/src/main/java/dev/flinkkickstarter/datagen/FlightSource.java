package dev.flinkkickstarter.datagen;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/** One airline's generated records, at the configured rate, for as many records as configured. */
final class FlightSource {

    private FlightSource() {}

    static <T extends SpecificRecordBase> DataGeneratorSource<T> of(Airline<T> airline, DataGeneratorOptions options) {
        RateLimiterStrategy rateLimit =
                options.recordsPerSecond().map(RateLimiterStrategy::perSecond).orElseGet(RateLimiterStrategy::noOp);
        return new DataGeneratorSource<>(
                new FlightGenerator<>(airline, options.seed(), options.departuresFrom(), options.changes()),
                options.maxRecords().orElse(Long.MAX_VALUE), // as good as endless
                rateLimit,
                new AvroTypeInfo<>(airline.recordClass()));
    }
}
