package dev.flinkkickstarter.datagen;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The facts of one booking; each airline publishes them in its own shape. {@code cancelled} marks a
 * cancellation of the booking with this {@code reference}.
 */
record Booking(
        String customerEmail,
        Instant departureTime,
        String departureAirport,
        Instant arrivalTime,
        String arrivalAirport,
        long durationMinutes,
        String flightNumber,
        String reference,
        BigDecimal price,
        String aircraft,
        String agencyEmail,
        boolean cancelled) {}
