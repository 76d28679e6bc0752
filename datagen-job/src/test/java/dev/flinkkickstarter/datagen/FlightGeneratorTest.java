package dev.flinkkickstarter.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.datagen.skyone.SkyOneFlight;
import dev.flinkkickstarter.datagen.sunset.SunsetFlight;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FlightGeneratorTest {

    private static final int RECORDS = 100_000;
    private static final long SEED = 42L;
    private static final Instant FIRST_DEPARTURE = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant LAST_DEPARTURE =
            FIRST_DEPARTURE.plus(Duration.ofDays(BookingGenerator.DEPARTURE_WINDOW_DAYS));
    private static final BookingChanges CHANGES = new BookingChanges(0.2, 0.1);
    private static final Set<String> AIRPORTS =
            Airport.ALL.stream().map(Airport::iataCode).collect(Collectors.toSet());

    private static List<SkyOneFlight> skyOne;
    private static List<SunsetFlight> sunset;
    private static List<SkyOneFlight> skyOneWithChanges;
    private static List<SunsetFlight> sunsetWithChanges;

    @BeforeAll
    static void generate() {
        skyOne = generate(Airline.SKY_ONE, SEED, RECORDS);
        sunset = generate(Airline.SUNSET, SEED, RECORDS);
        skyOneWithChanges = generate(Airline.SKY_ONE, SEED, RECORDS, CHANGES);
        sunsetWithChanges = generate(Airline.SUNSET, SEED, RECORDS, CHANGES);
    }

    @Test
    void skyOneFlightsArriveAfterTheyDepartBetweenTwoDifferentRealAirports() {
        for (SkyOneFlight flight : skyOne) {
            assertThat(flight.getFlightArrivalTime()).isAfter(flight.getFlightDepartureTime());
            assertThat(flight.getFlightDepartureTime()).isBetween(FIRST_DEPARTURE, LAST_DEPARTURE);
            assertThat(flight.getIataDepartureCode()).matches("[A-Z]{3}").isIn(AIRPORTS);
            assertThat(flight.getIataArrivalCode()).isIn(AIRPORTS).isNotEqualTo(flight.getIataDepartureCode());
            assertThat(flight.getFlightNumber()).matches("SKY1\\d{4}");
            assertThat(flight.getAircraft()).isNotBlank();
            assertThat(flight.getBookingAgencyEmail()).contains("@");
        }
    }

    @Test
    void sunsetFlightDurationsMatchTheirTimes() {
        for (SunsetFlight flight : sunset) {
            assertThat(flight.getFlightDuration()).isPositive();
            assertThat(Duration.between(flight.getDepartureTime(), flight.getArrivalTime()))
                    .isEqualTo(Duration.ofMinutes(flight.getFlightDuration()));
            assertThat(flight.getDepartureTime()).isBetween(FIRST_DEPARTURE, LAST_DEPARTURE);
            assertThat(flight.getDepartureAirport()).isIn(AIRPORTS);
            assertThat(flight.getArrivalAirport()).isIn(AIRPORTS).isNotEqualTo(flight.getDepartureAirport());
            assertThat(flight.getFlightId()).matches("SUN\\d{4}");
        }
    }

    @Test
    void routesAreSpreadOverTheAirportList() {
        Set<String> departures =
                skyOne.stream().map(SkyOneFlight::getIataDepartureCode).collect(Collectors.toSet());
        Set<String> arrivals =
                sunset.stream().map(SunsetFlight::getArrivalAirport).collect(Collectors.toSet());
        assertThat(departures).isEqualTo(AIRPORTS);
        assertThat(arrivals).isEqualTo(AIRPORTS);
    }

    @Test
    void theSameRouteAlwaysHasTheSameFlightNumber() {
        Map<String, String> flightNumberByRoute = new HashMap<>();
        for (SkyOneFlight flight : skyOne) {
            String route = flight.getIataDepartureCode() + "-" + flight.getIataArrivalCode();
            assertThat(flightNumberByRoute.computeIfAbsent(route, r -> flight.getFlightNumber()))
                    .as(route)
                    .isEqualTo(flight.getFlightNumber());
        }
    }

    @Test
    void aFiniteCustomerPopulationBooksAgainAndAgain() {
        Set<String> skyOneCustomers =
                skyOne.stream().map(SkyOneFlight::getEmailAddress).collect(Collectors.toSet());
        Set<String> sunsetCustomers =
                sunset.stream().map(SunsetFlight::getCustomerEmailAddress).collect(Collectors.toSet());
        assertThat(skyOneCustomers)
                .hasSizeBetween(BookingGenerator.CUSTOMER_COUNT / 2, BookingGenerator.CUSTOMER_COUNT);
        assertThat(sunsetCustomers)
                .hasSizeBetween(BookingGenerator.CUSTOMER_COUNT / 2, BookingGenerator.CUSTOMER_COUNT);
        assertThat(skyOneCustomers).allMatch(email -> email.matches("[a-z]+\\.[a-z]+@[a-z.]+"));
        // The same people fly both airlines, which is what makes the combined table interesting.
        assertThat(skyOneCustomers).containsAnyElementsOf(sunsetCustomers);
    }

    @Test
    void distinctCustomersHaveDistinctEmailAddresses() {
        Set<String> emails = new HashSet<>();
        for (int customer = 0; customer < BookingGenerator.CUSTOMER_COUNT; customer++) {
            emails.add(BookingGenerator.customerEmail(customer));
        }
        assertThat(emails).hasSize(BookingGenerator.CUSTOMER_COUNT);
    }

    @Test
    void pricesHaveCentsAndFitTheSchemasDecimal() {
        List<BigDecimal> prices = new ArrayList<>();
        skyOne.forEach(flight -> prices.add(flight.getTicketPrice()));
        sunset.forEach(flight -> prices.add(flight.getTotalPrice()));
        for (BigDecimal price : prices) {
            assertThat(price.scale()).isEqualTo(2);
            assertThat(price.precision()).isLessThanOrEqualTo(10);
            assertThat(price).isPositive();
        }
        assertThat(prices).anyMatch(price -> price.remainder(BigDecimal.ONE).signum() != 0);
    }

    @Test
    void bookingReferencesAreUniqueAndCarryTheAirlinesDesignator() {
        Set<String> confirmations = skyOne.stream().map(Airline.SKY_ONE::key).collect(Collectors.toSet());
        Set<String> references = sunset.stream().map(Airline.SUNSET::key).collect(Collectors.toSet());
        assertThat(confirmations).hasSize(RECORDS).allMatch(key -> key.matches("SKY1[0-9A-Z]{13}"));
        assertThat(references).hasSize(RECORDS).allMatch(key -> key.matches("SUN[0-9A-Z]{13}"));
        assertThat(Airline.SKY_ONE.key(skyOne.get(7))).isEqualTo(skyOne.get(7).getConfirmation());
        assertThat(Airline.SUNSET.key(sunset.get(7))).isEqualTo(sunset.get(7).getReferenceNumber());
    }

    @Test
    void theSameSeedGivesTheSameRecords() {
        assertThat(generate(Airline.SKY_ONE, SEED, 1_000)).isEqualTo(skyOne.subList(0, 1_000));
        assertThat(generate(Airline.SUNSET, SEED, 1_000)).isEqualTo(sunset.subList(0, 1_000));
    }

    @Test
    void aRecordDependsOnlyOnItsIndexNotOnWhichSubtaskGeneratesIt() throws Exception {
        FlightGenerator<SunsetFlight> generator = new FlightGenerator<>(Airline.SUNSET, SEED, FIRST_DEPARTURE);
        // Out of order, as one of several subtasks would see its share of the index range.
        for (long index = RECORDS - 1; index >= 0; index -= 997) {
            assertThat(generator.map(index)).isEqualTo(sunset.get((int) index));
        }
    }

    @Test
    void anotherSeedGivesOtherRecords() {
        List<SkyOneFlight> other = generate(Airline.SKY_ONE, SEED + 1, 1_000);
        for (int i = 0; i < other.size(); i++) {
            assertThat(other.get(i).getConfirmation())
                    .isNotEqualTo(skyOne.get(i).getConfirmation());
        }
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsItToTheTaskManagers() throws Exception {
        FlightGenerator<SkyOneFlight> generator = new FlightGenerator<>(Airline.SKY_ONE, SEED, FIRST_DEPARTURE);
        FlightGenerator<SkyOneFlight> copy = InstantiationUtil.clone(generator);
        assertThat(copy.map(5L)).isEqualTo(skyOne.get(5));
        assertThat(InstantiationUtil.clone(Airline.SUNSET)).isSameAs(Airline.SUNSET);
    }

    @Test
    void recordsRoundTripThroughAvroBinaryWithTheirSchema() throws IOException {
        assertThat(roundTrip(skyOne.get(0), SkyOneFlight.class)).isEqualTo(skyOne.get(0));
        assertThat(roundTrip(sunset.get(0), SunsetFlight.class)).isEqualTo(sunset.get(0));
    }

    @Test
    void withChangesTheNewBookingsStayAsTheyWere() {
        BookingGenerator bookings = bookings(Airline.SUNSET, CHANGES);
        List<SunsetFlight> changed = sunsetWithChanges;
        int newBookings = 0;
        for (int index = 0; index < RECORDS; index++) {
            if (bookings.kind(index) == BookingGenerator.Kind.NEW) {
                assertThat(changed.get(index)).isEqualTo(sunset.get(index));
                newBookings++;
            }
        }
        assertThat(newBookings).isEqualTo(count(bookings, BookingGenerator.Kind.NEW));
        assertThat(changed.get(0)).as("the first record has nothing to change").isEqualTo(sunset.get(0));
    }

    @Test
    void changesComeInTheGivenRatios() {
        BookingGenerator bookings = bookings(Airline.SKY_ONE, CHANGES);
        // The seed fixes the draws, so these bounds never flake; 1% is ~20 standard deviations here.
        assertThat(count(bookings, BookingGenerator.Kind.UPDATE) / (double) RECORDS)
                .isBetween(CHANGES.updateRatio() - 0.01, CHANGES.updateRatio() + 0.01);
        assertThat(count(bookings, BookingGenerator.Kind.CANCELLATION) / (double) RECORDS)
                .isBetween(CHANGES.cancelRatio() - 0.01, CHANGES.cancelRatio() + 0.01);
        assertThat(count(bookings(Airline.SKY_ONE, BookingChanges.NONE), BookingGenerator.Kind.NEW))
                .isEqualTo(RECORDS);
    }

    @Test
    void anUpdateResendsAnEarlierBookingsKeyWithANewPriceAndTime() {
        BookingGenerator bookings = bookings(Airline.SUNSET, CHANGES);
        List<SunsetFlight> changed = sunsetWithChanges;
        int repriced = 0;
        for (int index = 0; index < RECORDS; index++) {
            if (bookings.kind(index) != BookingGenerator.Kind.UPDATE) {
                continue;
            }
            SunsetFlight update = changed.get(index);
            long booked = bookings.bookingIndex(index);
            assertThat(booked).isLessThan(index);
            assertThat(bookings.kind(booked)).isEqualTo(BookingGenerator.Kind.NEW);
            SunsetFlight original = sunset.get((int) booked);
            assertThat(Airline.SUNSET.key(update)).isEqualTo(Airline.SUNSET.key(original));
            // The same passenger on the same route, re-timed and re-priced.
            assertThat(update.getCustomerEmailAddress()).isEqualTo(original.getCustomerEmailAddress());
            assertThat(update.getDepartureAirport()).isEqualTo(original.getDepartureAirport());
            assertThat(update.getArrivalAirport()).isEqualTo(original.getArrivalAirport());
            assertThat(update.getFlightId()).isEqualTo(original.getFlightId());
            assertThat(update.getFlightDuration()).isEqualTo(original.getFlightDuration());
            assertThat(Duration.between(update.getDepartureTime(), update.getArrivalTime()))
                    .isEqualTo(Duration.ofMinutes(update.getFlightDuration()));
            assertThat(update.getDepartureTime()).isBetween(FIRST_DEPARTURE, LAST_DEPARTURE);
            assertThat(update.getTotalPrice().scale()).isEqualTo(2);
            assertThat(update.getTotalPrice().precision()).isLessThanOrEqualTo(10);
            assertThat(update.getTotalPrice()).isPositive();
            assertThat(update.getCancelled()).isFalse();
            if (!update.getTotalPrice().equals(original.getTotalPrice())
                    && !update.getDepartureTime().equals(original.getDepartureTime())) {
                repriced++;
            }
        }
        assertThat(repriced).isGreaterThan(count(bookings, BookingGenerator.Kind.UPDATE) * 9 / 10);
    }

    @Test
    void aCancellationIsTheEarlierBookingMarkedCancelled() {
        BookingGenerator bookings = bookings(Airline.SKY_ONE, CHANGES);
        List<SkyOneFlight> changed = skyOneWithChanges;
        for (int index = 0; index < RECORDS; index++) {
            SkyOneFlight flight = changed.get(index);
            if (bookings.kind(index) != BookingGenerator.Kind.CANCELLATION) {
                assertThat(flight.getCancelled()).isFalse();
                continue;
            }
            SkyOneFlight original = skyOne.get((int) bookings.bookingIndex(index));
            assertThat(flight.getCancelled()).isTrue();
            assertThat(SkyOneFlight.newBuilder(flight).setCancelled(false).build())
                    .isEqualTo(original);
        }
    }

    @Test
    void changesAreTheSameForTheSameSeedWhicheverSubtaskMakesThem() {
        FlightGenerator<SkyOneFlight> generator =
                new FlightGenerator<>(Airline.SKY_ONE, SEED, FIRST_DEPARTURE, CHANGES);
        for (long index = RECORDS - 1; index >= 0; index -= 97) {
            assertThat(generator.map(index)).isEqualTo(skyOneWithChanges.get((int) index));
        }
        assertThat(generate(Airline.SKY_ONE, SEED, 1_000, CHANGES)).isEqualTo(skyOneWithChanges.subList(0, 1_000));
        assertThat(generate(Airline.SKY_ONE, SEED + 1, 1_000, CHANGES))
                .isNotEqualTo(skyOneWithChanges.subList(0, 1_000));
    }

    @Test
    void unknownAirlinesAreRejectedWithTheKnownNames() {
        assertThat(Airline.named(" SkyOne ")).isSameAs(Airline.SKY_ONE);
        assertThatThrownBy(() -> Airline.named("oceanic"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oceanic")
                .hasMessageContaining("skyone, sunset");
    }

    private static <T extends SpecificRecordBase> List<T> generate(Airline<T> airline, long seed, int count) {
        return generate(airline, seed, count, BookingChanges.NONE);
    }

    private static <T extends SpecificRecordBase> List<T> generate(
            Airline<T> airline, long seed, int count, BookingChanges changes) {
        FlightGenerator<T> generator = new FlightGenerator<>(airline, seed, FIRST_DEPARTURE, changes);
        List<T> records = new ArrayList<>(count);
        for (long index = 0; index < count; index++) {
            records.add(generator.map(index));
        }
        return records;
    }

    private static BookingGenerator bookings(Airline<?> airline, BookingChanges changes) {
        return new BookingGenerator(airline.designator(), SEED, FIRST_DEPARTURE, changes);
    }

    private static int count(BookingGenerator bookings, BookingGenerator.Kind kind) {
        int count = 0;
        for (int index = 0; index < RECORDS; index++) {
            if (bookings.kind(index) == kind) {
                count++;
            }
        }
        return count;
    }

    private static <T extends SpecificRecordBase> T roundTrip(T record, Class<T> type) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(type).write(record, encoder);
        encoder.flush();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
        return new SpecificDatumReader<>(type).read(null, decoder);
    }
}
