package dev.flinkkickstarter.datagen;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * How many of the generated records change an earlier booking instead of making a new one.
 *
 * @param updateRatio fraction of records that re-send an earlier booking's key with a new price and
 *     departure time
 * @param cancelRatio fraction of records that cancel an earlier booking (the booking with {@code
 *     cancelled = true})
 */
public record BookingChanges(double updateRatio, double cancelRatio) implements Serializable {

    /** Every record is a new booking. */
    public static final BookingChanges NONE = new BookingChanges(0, 0);

    public BookingChanges {
        checkArgument(isRatio(updateRatio), "The update ratio must be in [0, 1) but was %s", updateRatio);
        checkArgument(isRatio(cancelRatio), "The cancel ratio must be in [0, 1) but was %s", cancelRatio);
        checkArgument(
                updateRatio + cancelRatio < 1,
                "The update ratio (%s) and cancel ratio (%s) must leave room for new bookings: their sum must be"
                        + " below 1",
                updateRatio,
                cancelRatio);
    }

    /** Whether any record changes an earlier booking. */
    public boolean any() {
        return updateRatio > 0 || cancelRatio > 0;
    }

    private static boolean isRatio(double value) {
        return value >= 0 && value < 1;
    }
}
