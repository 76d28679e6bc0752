package dev.flinkkickstarter.datagen;

import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.datagen.sunset.SunsetFlight;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.util.function.SerializableFunction;

/**
 * An airline whose bookings this job publishes: the same facts ({@link Booking}) in the airline's
 * own Avro shape, keyed by the airline's booking reference.
 *
 * @param <T> the airline's Avro record, generated from {@code src/main/avro}
 */
public final class Airline<T extends SpecificRecordBase> implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final Airline<SkyOneFlight> SKY_ONE = new Airline<>(
            "skyone",
            "airline.skyone",
            "SKY1",
            SkyOneFlight.class,
            Airline::skyOneFlight,
            SkyOneFlight::getConfirmation);

    public static final Airline<SunsetFlight> SUNSET = new Airline<>(
            "sunset",
            "airline.sunset",
            "SUN",
            SunsetFlight.class,
            Airline::sunsetFlight,
            SunsetFlight::getReferenceNumber);

    private static final List<Airline<?>> ALL = List.of(SKY_ONE, SUNSET);

    private final String name;
    private final String defaultTopic;
    private final String designator;
    private final Class<T> recordClass;
    private final SerializableFunction<Booking, T> shape;
    private final SerializableFunction<T, String> key;

    private Airline(
            String name,
            String defaultTopic,
            String designator,
            Class<T> recordClass,
            SerializableFunction<Booking, T> shape,
            SerializableFunction<T, String> key) {
        this.name = name;
        this.defaultTopic = defaultTopic;
        this.designator = designator;
        this.recordClass = recordClass;
        this.shape = shape;
        this.key = key;
    }

    public static List<Airline<?>> all() {
        return ALL;
    }

    /** The airline called {@code name} (case-insensitive), as given to {@code --airlines}. */
    public static Airline<?> named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return ALL.stream()
                .filter(airline -> airline.name.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown airline '" + name + "'; known airlines: "
                        + String.join(", ", ALL.stream().map(Airline::name).toList())));
    }

    /** Short lower-case name used in flags, operator names and transactional ids. */
    public String name() {
        return name;
    }

    public String defaultTopic() {
        return defaultTopic;
    }

    /** Prefix of the airline's flight numbers and booking references, e.g. {@code SKY1}. */
    public String designator() {
        return designator;
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    /** The booking in this airline's shape. */
    T toRecord(Booking booking) {
        return shape.apply(booking);
    }

    /** The record's Kafka key: its booking reference. */
    public String key(T record) {
        return key.apply(record);
    }

    /** Keeps the constants singletons when a job graph carrying them is deserialized. */
    private Object readResolve() throws ObjectStreamException {
        return named(name);
    }

    @Override
    public String toString() {
        return name;
    }

    private static SkyOneFlight skyOneFlight(Booking booking) {
        return SkyOneFlight.newBuilder()
                .setEmailAddress(booking.customerEmail())
                .setFlightDepartureTime(booking.departureTime())
                .setIataDepartureCode(booking.departureAirport())
                .setFlightArrivalTime(booking.arrivalTime())
                .setIataArrivalCode(booking.arrivalAirport())
                .setFlightNumber(booking.flightNumber())
                .setConfirmation(booking.reference())
                .setTicketPrice(booking.price())
                .setAircraft(booking.aircraft())
                .setBookingAgencyEmail(booking.agencyEmail())
                .setCancelled(booking.cancelled())
                .build();
    }

    private static SunsetFlight sunsetFlight(Booking booking) {
        return SunsetFlight.newBuilder()
                .setCustomerEmailAddress(booking.customerEmail())
                .setDepartureTime(booking.departureTime())
                .setDepartureAirport(booking.departureAirport())
                .setArrivalTime(booking.arrivalTime())
                .setArrivalAirport(booking.arrivalAirport())
                .setFlightDuration(booking.durationMinutes())
                .setFlightId(booking.flightNumber())
                .setReferenceNumber(booking.reference())
                .setTotalPrice(booking.price())
                .setAircraftDetails(booking.aircraft())
                .setCancelled(booking.cancelled())
                .build();
    }
}
