package dev.flinkkickstarter.datagen;

import java.util.List;

/** A real airport: its IATA code and where it is, so flight times follow from distances. */
record Airport(String iataCode, double latitude, double longitude) {

    private static final double EARTH_RADIUS_KM = 6371.0;

    /** Busy airports on five continents: a mix of short, medium and long-haul routes. */
    static final List<Airport> ALL = List.of(
            new Airport("ATL", 33.6407, -84.4277),
            new Airport("LAX", 33.9416, -118.4085),
            new Airport("ORD", 41.9742, -87.9073),
            new Airport("DFW", 32.8998, -97.0403),
            new Airport("DEN", 39.8561, -104.6737),
            new Airport("JFK", 40.6413, -73.7781),
            new Airport("SFO", 37.6213, -122.3790),
            new Airport("SEA", 47.4502, -122.3088),
            new Airport("LAS", 36.0840, -115.1537),
            new Airport("MCO", 28.4312, -81.3081),
            new Airport("MIA", 25.7959, -80.2870),
            new Airport("BOS", 42.3656, -71.0096),
            new Airport("PHX", 33.4342, -112.0116),
            new Airport("IAH", 29.9902, -95.3368),
            new Airport("YYZ", 43.6777, -79.6248),
            new Airport("MEX", 19.4361, -99.0719),
            new Airport("LHR", 51.4700, -0.4543),
            new Airport("CDG", 49.0097, 2.5479),
            new Airport("FRA", 50.0379, 8.5622),
            new Airport("AMS", 52.3105, 4.7683),
            new Airport("MAD", 40.4983, -3.5676),
            new Airport("DXB", 25.2532, 55.3657),
            new Airport("HND", 35.5494, 139.7798),
            new Airport("SIN", 1.3644, 103.9915),
            new Airport("SYD", -33.9399, 151.1753),
            new Airport("GRU", -23.4356, -46.4731));

    /** Great-circle distance (haversine). */
    double distanceKm(Airport other) {
        double dLat = Math.toRadians(other.latitude - latitude);
        double dLon = Math.toRadians(other.longitude - longitude);
        double a = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(latitude))
                        * Math.cos(Math.toRadians(other.latitude))
                        * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
    }
}
