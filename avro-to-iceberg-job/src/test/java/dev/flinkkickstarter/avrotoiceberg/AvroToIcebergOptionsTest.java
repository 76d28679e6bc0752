package dev.flinkkickstarter.avrotoiceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.JobArguments;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;

class AvroToIcebergOptionsTest {

    @Test
    void defaultsRouteBothAirlinesToTheirTablesAndTheFlightTable() {
        AvroToIcebergOptions options = parse();

        assertThat(options.routes())
                .extracting(TopicRoute::topic, route -> route.table().toString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("airline.skyone", "airlines.skyone"),
                        org.assertj.core.groups.Tuple.tuple("airline.sunset", "airlines.sunset"));
        assertThat(options.routes().get(0).flightMapping()).isSameAs(FlightMapping.SKY_ONE);
        assertThat(options.routes().get(1).flightMapping()).isSameAs(FlightMapping.SUNSET_AIR);
        assertThat(options.flightTable()).contains(TableIdentifier.parse("airlines.flight"));
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.distributionMode()).isEqualTo(DistributionMode.NONE);
        assertThat(options.startingOffsets()).isEqualTo("committed");
        assertThat(options.deadLetterTopicSuffix()).isEqualTo(".dlq");
        assertThat(options.parallelism()).isEmpty();
        assertThat(options.targetFileSizeBytes()).isEmpty();
        assertThat(options.partitionSpec(TableIdentifier.parse("airlines.flight")))
                .isEqualTo("month(departure_time)");
        assertThat(options.partitionSpec(TableIdentifier.parse("airlines.skyone")))
                .isEqualTo("month(flight_departure_time)");
        assertThat(options.tableProperties()).isEqualTo(Map.of("parquet.enable.dictionary", "false"));
    }

    @Test
    void readsEveryFlag() {
        AvroToIcebergOptions options = parse(
                "--topics", "orders,airline.skyone",
                "--table-mapping", "orders=sales.orders",
                "--flight-mapping", "airline.skyone=skyone",
                "--checkpoint-interval", "10s",
                "--parallelism", "4",
                "--target-file-size", "128mb",
                "--write-distribution-mode", "hash",
                "--starting-offsets", "earliest",
                "--dlq-topic-suffix", "-dead",
                "--partition-spec.sales.orders", "bucket(8, id)",
                "--table-property.write.parquet.compression-codec", "snappy",
                "--table-property.parquet.enable.dictionary", "true",
                "--catalog-type", "rest",
                "--warehouse", "s3://bucket/warehouse",
                "--catalog.uri", "http://localhost:8181");

        assertThat(options.routes().get(0).table()).isEqualTo(TableIdentifier.parse("sales.orders"));
        assertThat(options.routes().get(0).flightMapping()).isNull();
        assertThat(options.routes().get(1).flightMapping()).isSameAs(FlightMapping.SKY_ONE);
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.parallelism()).contains(4);
        assertThat(options.targetFileSizeBytes()).contains(128L * 1024 * 1024);
        assertThat(options.distributionMode()).isEqualTo(DistributionMode.HASH);
        assertThat(options.startingOffsets()).isEqualTo("earliest");
        assertThat(options.deadLetterTopicSuffix()).isEqualTo("-dead");
        assertThat(options.partitionSpec(TableIdentifier.parse("sales.orders"))).isEqualTo("bucket(8, id)");
        assertThat(options.tableProperties())
                .isEqualTo(Map.of("write.parquet.compression-codec", "snappy", "parquet.enable.dictionary", "true"));
    }

    @Test
    void topicPatternRoutesTopicsFoundLaterByTheTemplate() {
        AvroToIcebergOptions options = parse(
                "--topic-pattern", "airline\\.[a-z-]+",
                "--partition-discovery-interval", "5s",
                "--table-mapping", "airline.special=sales.special");

        assertThat(options.routes()).isEmpty();
        assertThat(options.topicPattern()
                        .orElseThrow()
                        .matcher("airline.new-carrier")
                        .matches())
                .isTrue();
        assertThat(options.partitionDiscoveryInterval()).isEqualTo(Duration.ofSeconds(5));
        TopicRouter router = options.router();
        assertThat(router.route("airline.new-carrier").table())
                .isEqualTo(TableIdentifier.parse("airlines.new_carrier"));
        assertThat(router.route("airline.special").table()).isEqualTo(TableIdentifier.parse("sales.special"));
        assertThat(router.route("airline.skyone").flightMapping()).isSameAs(FlightMapping.SKY_ONE);
        assertThat(router.route("airline.new-carrier").flightMapping()).isNull();
        assertThatThrownBy(() -> router.route("airline.flight"))
                .hasMessageContaining("airlines.flight")
                .hasMessageContaining("--table-mapping");
    }

    @Test
    void tableNameTemplateTakesTheWholeTopicOrItsSuffix() {
        assertThat(parse("--topics", "eu.orders-v2", "--table-name-template", "raw.{topic}")
                        .routes()
                        .get(0)
                        .table())
                .isEqualTo(TableIdentifier.parse("raw.eu_orders_v2"));
        assertThat(parse().partitionDiscoveryInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> parse("--table-name-template", "raw.{name}"))
                .hasMessageContaining("unknown placeholder {name}");
        assertThatThrownBy(() -> parse("--table-name-template", "raw.all"))
                .hasMessageContaining("names one table for every topic");
        assertThatThrownBy(() -> parse("--topic-pattern", "a.*", "--topics", "b"))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> parse("--topic-pattern", "(unclosed"))
                .hasMessageContaining("--topic-pattern must be a Java regular expression");
    }

    @Test
    void flightTableCanBeSwitchedOff() {
        AvroToIcebergOptions options = parse("--flight-table", "none");

        assertThat(options.flightTable()).isEmpty();
        assertThat(options.routes())
                .allSatisfy(route -> assertThat(route.flightMapping()).isNull());
    }

    @Test
    void rejectsUnknownFlagsAndBadValues() {
        assertThatThrownBy(() -> parse("--topic", "x")).hasMessageContaining("Unknown flag(s) --topic");
        assertThatThrownBy(() -> parse("--write-distribution-mode", "random"))
                .hasMessageContaining("--write-distribution-mode must be none, hash or range");
        assertThatThrownBy(() -> parse("--starting-offsets", "beginning")).hasMessageContaining("beginning");
        assertThatThrownBy(() -> parse("--table-mapping", "airline.skyone")).hasMessageContaining("topic=value");
        assertThatThrownBy(() -> parse("--table-mapping", "airline.skyone=airlines.flight"))
                .hasMessageContaining("more than one topic");
        assertThatThrownBy(() -> parse("--table-mapping", "elsewhere=x.y")).hasMessageContaining("elsewhere");
        assertThatThrownBy(() -> parse("--checkpoint-interval", "0s")).hasMessageContaining("must be positive");
    }

    private static AvroToIcebergOptions parse(String... args) {
        return AvroToIcebergOptions.from(JobArguments.parse(args, Map.of()));
    }

    @Test
    void deadLetterTransactionalIdPrefixIsUniquePerDeployment() {
        assertThat(parse().deadLetterTransactionalIdPrefix("avro-to-iceberg")).isEqualTo("avro-to-iceberg-dlq");
        assertThat(parse().deadLetterTransactionalIdPrefix("team a/staging")).isEqualTo("team_a_staging-dlq");
        assertThat(parse("--job-id", "staging").deadLetterTransactionalIdPrefix("g"))
                .isEqualTo("staging-dlq");
        assertThat(parse("--job-id", "staging", "--dlq-transactional-id-prefix", "ingest.dlq")
                        .deadLetterTransactionalIdPrefix("g"))
                .isEqualTo("ingest.dlq");
        assertThatThrownBy(() -> parse("--job-id", "my job")).hasMessageContaining("--job-id ('my job') may only");
        assertThatThrownBy(() -> parse("--dlq-transactional-id-prefix", "x".repeat(201)))
                .hasMessageContaining("--dlq-transactional-id-prefix is 201 characters long");
    }

    @Test
    void toStringRedactsSecretTableProperties() {
        String printed =
                parse("--table-property.s3.secret-access-key", "table-secret").toString();

        assertThat(printed).doesNotContain("table-secret").contains("s3.secret-access-key=******");
    }
}
