package dev.flinkkickstarter.avrotoiceberg;

import javax.annotation.Nullable;
import org.apache.iceberg.catalog.TableIdentifier;

/** One input topic: its raw table and, if it has one, its mapping onto the unified flight table. */
record TopicRoute(
        String topic, TableIdentifier table, @Nullable FlightMapping flightMapping) {}
