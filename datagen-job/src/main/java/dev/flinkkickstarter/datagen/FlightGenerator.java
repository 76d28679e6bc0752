package dev.flinkkickstarter.datagen;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The {@link GeneratorFunction} behind the job's {@code DataGeneratorSource}: record {@code n} of
 * an airline is booking {@code n} (a new booking, or a change of an earlier one) in that airline's
 * shape.
 */
public final class FlightGenerator<T extends SpecificRecordBase> implements GeneratorFunction<Long, T> {

    private static final long serialVersionUID = 1L;

    private final Airline<T> airline;
    private final BookingGenerator bookings;

    /**
     * @param seed the same seed (and {@code firstDeparture}) always gives the same records
     * @param firstDeparture departures fall within {@value BookingGenerator#DEPARTURE_WINDOW_DAYS}
     *     days from here
     */
    public FlightGenerator(Airline<T> airline, long seed, Instant firstDeparture) {
        this(airline, seed, firstDeparture, BookingChanges.NONE);
    }

    /**
     * @param changes how many records update or cancel an earlier booking (same key, see {@link
     *     Airline#key})
     */
    public FlightGenerator(Airline<T> airline, long seed, Instant firstDeparture, BookingChanges changes) {
        this.airline = checkNotNull(airline, "airline");
        this.bookings = new BookingGenerator(airline.designator(), seed, firstDeparture, changes);
    }

    @Override
    public T map(Long index) {
        return airline.toRecord(bookings.booking(index));
    }
}
