package dev.flinkkickstarter.iceberg;

import dev.flinkkickstarter.common.kafka.KafkaRecord;

/**
 * A record the job could not turn into a table row, with why. A Flink POJO; the dead-letter sink
 * writes the original bytes back out with the reason in headers (see {@link DeadLetterSerializer}).
 */
public class DeadLetter {

    /** The record decoded but does not fit its table (e.g. a decimal wider than the column). */
    public static final String CONVERSION_ERROR = "CONVERSION_ERROR";

    public KafkaRecord record;
    /** A {@code WireFormatException.Reason} name, or {@link #CONVERSION_ERROR}. */
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
