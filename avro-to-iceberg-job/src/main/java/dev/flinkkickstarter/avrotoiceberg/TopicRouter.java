package dev.flinkkickstarter.avrotoiceberg;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Where the rows of an input topic go: its raw table ({@code --table-mapping}, else the {@code
 * --table-name-template}) and, for topics named in {@code --flight-mapping}, the unified flight table. Works for
 * topics the job discovers while it runs ({@code --topic-pattern}), so it travels with the job.
 *
 * <p>Template placeholders: {@code {topic}} is the whole topic name, {@code {suffix}} its part after the last
 * dot; in both, characters other than letters, digits and {@code _} become {@code _}. The default {@code
 * airlines.{suffix}} sends {@code airline.skyone} to {@code airlines.skyone}.
 */
final class TopicRouter implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String TABLE_NAME_TEMPLATE = "table-name-template";
    static final String TABLE_MAPPING = "table-mapping";
    static final String DEFAULT_TABLE_NAME_TEMPLATE = "airlines.{suffix}";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
    private static final Pattern NOT_A_NAME_CHARACTER = Pattern.compile("[^A-Za-z0-9_]");

    private final Map<String, String> tableMapping;
    private final Map<String, String> flightMappings;

    /** The flight table's name: {@link TableIdentifier} is not serializable. */
    @Nullable
    private final String flightTable;

    private final String tableNameTemplate;

    TopicRouter(
            Map<String, String> tableMapping,
            Map<String, String> flightMappings,
            @Nullable TableIdentifier flightTable,
            String tableNameTemplate) {
        this.tableMapping = Map.copyOf(checkNotNull(tableMapping, "tableMapping"));
        this.flightMappings = Map.copyOf(checkNotNull(flightMappings, "flightMappings"));
        this.flightTable = flightTable == null ? null : flightTable.toString();
        this.tableNameTemplate =
                checkNotNull(tableNameTemplate, "tableNameTemplate").trim();
        Matcher placeholders = PLACEHOLDER.matcher(this.tableNameTemplate);
        boolean anyPlaceholder = false;
        while (placeholders.find()) {
            String name = placeholders.group(1);
            checkArgument(
                    name.equals("topic") || name.equals("suffix"),
                    "--%s: unknown placeholder {%s} in '%s'; use {topic} or {suffix}",
                    TABLE_NAME_TEMPLATE,
                    name,
                    tableNameTemplate);
            anyPlaceholder = true;
        }
        checkArgument(
                anyPlaceholder,
                "--%s '%s' names one table for every topic; use {topic} or {suffix}",
                TABLE_NAME_TEMPLATE,
                tableNameTemplate);
        flightMappings.values().forEach(FlightMapping::named); // unknown names fail now, not on the cluster
        tableFor("a-topic.name"); // so does a template that cannot make a table name
    }

    /** The route of {@code topic}; throws {@link IllegalArgumentException} if its raw table is the flight table. */
    TopicRoute route(String topic) {
        checkNotNull(topic, "topic");
        TableIdentifier table = tableFor(topic);
        checkArgument(
                !table.toString().equals(flightTable),
                "Table %s is the target of more than one topic (topic '%s' and the unified flight table); give the"
                        + " topic its own table with --%s",
                table,
                topic,
                TABLE_MAPPING);
        String mapping = flightMappings.get(topic);
        return new TopicRoute(
                topic, table, mapping == null || flightTable == null ? null : FlightMapping.named(mapping));
    }

    private TableIdentifier tableFor(String topic) {
        String mapped = tableMapping.get(topic);
        if (mapped != null) {
            return TableIdentifier.parse(mapped);
        }
        String suffix = topic.substring(topic.lastIndexOf('.') + 1);
        String name = tableNameTemplate.replace("{topic}", asName(topic)).replace("{suffix}", asName(suffix));
        try {
            return TableIdentifier.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--" + TABLE_NAME_TEMPLATE + " '" + tableNameTemplate + "' gives '" + name + "' for topic '" + topic
                            + "', which is not a table name",
                    e);
        }
    }

    private static String asName(String part) {
        return NOT_A_NAME_CHARACTER.matcher(part).replaceAll("_");
    }

    @Override
    public String toString() {
        return "TopicRouter{tableMapping=" + tableMapping + ", flightMappings=" + flightMappings + ", flightTable="
                + flightTable + ", tableNameTemplate=" + tableNameTemplate + "}";
    }
}
