package dev.flinkkickstarter.datagen;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Makes the {@link Booking} with a given index for one airline. Each booking is computed from
 * (seed, airline, changes, index) alone, so a seed reproduces the same records however the index
 * range is split across parallel source subtasks.
 *
 * <p>With {@link BookingChanges}, some records change the booking of one of the {@value
 * #CHANGE_WINDOW} records before them (of the booking that record changes, if it is a change too):
 * an update re-sends its reference with a new
 * price and departure time, a cancellation re-sends the booking marked {@code cancelled}. Which
 * record is a change, and of which booking, is drawn from a random stream of its own, so without
 * changes every record is the same new booking as ever.
 */
final class BookingGenerator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Distinct customers: small enough that the same people book again and again. */
    static final int CUSTOMER_COUNT = 2_000;

    /** Departures fall on 5-minute slots within this many days from the first departure day. */
    static final int DEPARTURE_WINDOW_DAYS = 180;

    private static final long SLOT_MINUTES = 5;
    private static final double CRUISE_KM_PER_MINUTE = 13.5; // ~810 km/h
    private static final long TAXI_AND_CLIMB_MINUTES = 25;
    private static final double LONG_HAUL_KM = 4_000;
    private static final int REFERENCE_LENGTH = 13; // base 36 digits of an unsigned 64-bit number

    /** A change picks the booking it changes among this many records before it. */
    static final int CHANGE_WINDOW = 10_000;

    /** Salts the stream that decides whether a record is a change, apart from the booking's own. */
    private static final long CHANGE_SALT = 0x2545F4914F6CDD1DL;

    private static final List<String> FIRST_NAMES = List.of(
            "ada", "alan", "amelia", "anita", "arjun", "beatriz", "carlos", "chen", "chloe", "dmitri", "elena", "emeka",
            "fatima", "freya", "grace", "hana", "hugo", "ines", "ivan", "jamal", "jin", "kofi", "lars", "leila",
            "lucas", "maria", "mateo", "mei", "nadia", "noah", "olga", "omar", "priya", "rosa", "sami", "sofia",
            "tariq", "uma", "yara", "zoe");
    private static final List<String> LAST_NAMES = List.of(
            "adams",
            "alvarez",
            "bauer",
            "brown",
            "costa",
            "dubois",
            "evans",
            "fischer",
            "garcia",
            "gupta",
            "hansen",
            "hill",
            "ito",
            "jensen",
            "johnson",
            "kim",
            "kowalski",
            "lee",
            "lopez",
            "martin",
            "meyer",
            "moreau",
            "murphy",
            "nakamura",
            "nguyen",
            "novak",
            "okafor",
            "olsen",
            "park",
            "patel",
            "perez",
            "petrov",
            "quinn",
            "rossi",
            "santos",
            "schmidt",
            "silva",
            "singh",
            "smith",
            "suzuki",
            "tanaka",
            "taylor",
            "tran",
            "walker",
            "wang",
            "weber",
            "wilson",
            "wong",
            "yilmaz",
            "zhang");
    private static final List<String> EMAIL_DOMAINS =
            List.of("example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net");
    private static final List<String> AGENCY_EMAILS = List.of(
            "bookings@bluehorizon-travel.example.com",
            "tickets@wanderwise.example.net",
            "agent@globetrotter-tours.example.org",
            "reservations@skyway-agency.example.com",
            "desk@northstar-journeys.example.net",
            "sales@paper-plane-travel.example.org");
    private static final List<String> NARROW_BODY_AIRCRAFT =
            List.of("Airbus A220-300", "Airbus A320neo", "Airbus A321neo", "Boeing 737-800", "Boeing 737 MAX 8");
    private static final List<String> WIDE_BODY_AIRCRAFT =
            List.of("Airbus A330-900", "Airbus A350-900", "Boeing 777-300ER", "Boeing 787-9");

    private final String flightNumberPrefix;
    private final long seed;
    private final Instant firstDeparture;
    private final BookingChanges changes;

    /** What a record is. */
    enum Kind {
        NEW,
        UPDATE,
        CANCELLATION
    }

    /**
     * @param flightNumberPrefix the airline's designator: prefixes flight numbers and booking
     *     references, and salts the random stream so two airlines with one seed differ
     * @param seed the seed; the same seed gives the same bookings
     * @param firstDeparture start of the departure window
     * @param changes how many records update or cancel an earlier booking
     */
    BookingGenerator(String flightNumberPrefix, long seed, Instant firstDeparture, BookingChanges changes) {
        checkArgument(
                flightNumberPrefix != null && !flightNumberPrefix.isBlank(), "flightNumberPrefix must not be blank");
        this.flightNumberPrefix = flightNumberPrefix;
        this.seed = seed;
        this.firstDeparture = checkNotNull(firstDeparture, "firstDeparture");
        this.changes = checkNotNull(changes, "changes");
    }

    Booking booking(long index) {
        checkArgument(index >= 0, "index must not be negative but was %s", index);
        SplittableRandom change = changeRandom(index);
        Kind kind = kind(change, index);
        if (kind == Kind.NEW) {
            return newBooking(index);
        }
        Booking booking = newBooking(bookingIndex(target(change, index)));
        return kind == Kind.CANCELLATION ? cancelled(booking) : updated(booking, change);
    }

    /** Whether record {@code index} makes a new booking, updates or cancels one. */
    Kind kind(long index) {
        return kind(changeRandom(index), index);
    }

    /** The index of the record that made the booking record {@code index} makes or changes. */
    long bookingIndex(long index) {
        long current = index;
        while (true) { // ends: each step goes to an earlier record, and record 0 is always new
            SplittableRandom change = changeRandom(current);
            if (kind(change, current) == Kind.NEW) {
                return current;
            }
            current = target(change, current);
        }
    }

    private SplittableRandom changeRandom(long index) {
        return new SplittableRandom(mix64(salted() ^ CHANGE_SALT) + mix64(index));
    }

    /** Draws the record's kind: the first draw of its change stream. */
    private Kind kind(SplittableRandom change, long index) {
        if (index == 0 || !changes.any()) {
            return Kind.NEW;
        }
        double draw = change.nextDouble();
        if (draw < changes.cancelRatio()) {
            return Kind.CANCELLATION;
        }
        return draw < changes.cancelRatio() + changes.updateRatio() ? Kind.UPDATE : Kind.NEW;
    }

    /** Draws the earlier record whose booking a change changes: the second draw of its change stream. */
    private static long target(SplittableRandom change, long index) {
        return index - 1 - change.nextLong(Math.min(index, CHANGE_WINDOW));
    }

    /** {@code booking} re-timed and re-priced (20% cheaper to 30% dearer); same route, aircraft and duration. */
    private Booking updated(Booking booking, SplittableRandom change) {
        Instant departure = departureSlot(change);
        BigDecimal price = booking.price()
                .multiply(BigDecimal.valueOf(0.8 + 0.5 * change.nextDouble()))
                .setScale(2, RoundingMode.HALF_EVEN);
        return new Booking(
                booking.customerEmail(),
                departure,
                booking.departureAirport(),
                departure.plus(Duration.ofMinutes(booking.durationMinutes())),
                booking.arrivalAirport(),
                booking.durationMinutes(),
                booking.flightNumber(),
                booking.reference(),
                price,
                booking.aircraft(),
                booking.agencyEmail(),
                false);
    }

    private static Booking cancelled(Booking booking) {
        return new Booking(
                booking.customerEmail(),
                booking.departureTime(),
                booking.departureAirport(),
                booking.arrivalTime(),
                booking.arrivalAirport(),
                booking.durationMinutes(),
                booking.flightNumber(),
                booking.reference(),
                booking.price(),
                booking.aircraft(),
                booking.agencyEmail(),
                true);
    }

    private Instant departureSlot(SplittableRandom random) {
        long slots = DEPARTURE_WINDOW_DAYS * 24L * 60 / SLOT_MINUTES;
        return firstDeparture.plus(Duration.ofMinutes(random.nextLong(slots) * SLOT_MINUTES));
    }

    private long salted() {
        return seed ^ mix64(flightNumberPrefix.hashCode());
    }

    /** The booking record {@code index} makes when it is not a change. */
    private Booking newBooking(long index) {
        long salted = salted();
        SplittableRandom random = new SplittableRandom(mix64(salted + mix64(index)));

        int customer = random.nextInt(CUSTOMER_COUNT);
        Airport from = Airport.ALL.get(random.nextInt(Airport.ALL.size()));
        // Pick among the other airports only, so a flight never lands where it took off.
        int toIndex = random.nextInt(Airport.ALL.size() - 1);
        Airport to = Airport.ALL.get(toIndex >= Airport.ALL.indexOf(from) ? toIndex + 1 : toIndex);
        double distanceKm = from.distanceKm(to);

        Instant departure = departureSlot(random);
        long durationMinutes = Math.round(distanceKm / CRUISE_KM_PER_MINUTE)
                + TAXI_AND_CLIMB_MINUTES
                + random.nextInt(0, 21); // headwinds, holding patterns
        Instant arrival = departure.plus(Duration.ofMinutes(durationMinutes));

        boolean longHaul = distanceKm >= LONG_HAUL_KM;
        List<String> fleet = longHaul ? WIDE_BODY_AIRCRAFT : NARROW_BODY_AIRCRAFT;
        String aircraft = fleet.get(random.nextInt(fleet.size()));

        // Fare grows with distance; the multiplier spans saver to flexible fares.
        double fare = (49 + 0.11 * distanceKm) * (0.7 + 1.8 * random.nextDouble());
        BigDecimal price = BigDecimal.valueOf(Math.round(fare * 100), 2);

        return new Booking(
                customerEmail(customer),
                departure,
                from.iataCode(),
                arrival,
                to.iataCode(),
                durationMinutes,
                flightNumber(from, to),
                reference(index, salted),
                price,
                aircraft,
                AGENCY_EMAILS.get(random.nextInt(AGENCY_EMAILS.size())),
                false);
    }

    /** Customer {@code n} always has the same address; distinct customers have distinct addresses. */
    static String customerEmail(int customer) {
        String first = FIRST_NAMES.get(customer % FIRST_NAMES.size());
        String last = LAST_NAMES.get((customer / FIRST_NAMES.size()) % LAST_NAMES.size());
        String domain = EMAIL_DOMAINS.get(customer % EMAIL_DOMAINS.size());
        return first + "." + last + "@" + domain;
    }

    /** One flight number per route, as with a real timetable. */
    private String flightNumber(Airport from, Airport to) {
        int route = Math.floorMod((from.iataCode() + to.iataCode()).hashCode(), 9_000) + 1_000;
        return flightNumberPrefix + route;
    }

    /**
     * A reference that looks random but is unique per index: {@link #mix64} is a bijection on
     * longs, so distinct indexes never collide.
     */
    private String reference(long index, long salted) {
        String digits = Long.toUnsignedString(mix64(index ^ salted), 36).toUpperCase(Locale.ROOT);
        return flightNumberPrefix + "0".repeat(REFERENCE_LENGTH - digits.length()) + digits;
    }

    /** MurmurHash3's 64-bit finalizer: an invertible mix of all input bits. */
    private static long mix64(long value) {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
