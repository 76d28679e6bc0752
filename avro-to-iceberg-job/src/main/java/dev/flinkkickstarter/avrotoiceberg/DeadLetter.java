package dev.flinkkickstarter.avrotoiceberg;

import dev.flinkkickstarter.common.kafka.KafkaRecord;

/**
 * A record the job could not turn into a table row, with why. A Flink POJO; the dead-letter sink
 * writes the original bytes back out with the reason in headers (see {@link DeadLetterSerializer}).
 */
public class DeadLetter {

    /** The record decoded but does not fit its table (e.g. a decimal wider than the column). */
    public static final String CONVERSION_ERROR = "CONVERSION_ERROR";

    /**
     * The record's raw row WAS written, but its unified flight row could not be made (e.g. its writer schema lacks
     * a column the airline's mapping reads, or a price does not fit). Informational: replaying it would write the
     * raw row again.
     */
    public static final String FLIGHT_MAPPING_FAILED = "FLIGHT_MAPPING_FAILED";

    /** The topic's rows have no table (e.g. a pattern-matched topic whose table name is the unified table's). */
    public static final String UNROUTABLE_TOPIC = "UNROUTABLE_TOPIC";

    public KafkaRecord record;
    /** A {@code WireFormatException.Reason} name (e.g. {@code INCOMPATIBLE_SCHEMA}), or one of the constants here. */
    public String reason;

    public String message;

    public DeadLetter() {}

    static DeadLetter of(KafkaRecord record, String reason, String message) {
        DeadLetter deadLetter = new DeadLetter();
        deadLetter.record = record;
        deadLetter.reason = reason;
        deadLetter.message = message;
        return deadLetter;
    }

    @Override
    public String toString() {
        return "DeadLetter{" + record + ", " + reason + "}";
    }
}
