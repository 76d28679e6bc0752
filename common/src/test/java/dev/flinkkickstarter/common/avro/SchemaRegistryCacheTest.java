package dev.flinkkickstarter.common.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkkickstarter.common.config.SchemaRegistrySettings;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** What is remembered and for how long, without HTTP: each fetch here counts how often it was asked. */
class SchemaRegistryCacheTest {

    private static final Schema RECORD =
            new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}");

    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger rememberedUnknownHits = new AtomicInteger();

    @Test
    void remembersUnusableIdsForGoodUnknownIdsForTheirTimeAndNoOtherFailure() {
        SchemaRegistryCache cache = new SchemaRegistryCache(settings("3600"));
        SchemaRegistryException unusable =
                new UnusableSchemaException(UnusableSchemaException.Problem.INVALID_SCHEMA, "unusable", 200, null);
        SchemaRegistryException unknown = new SchemaRegistryException("unknown", 404);
        SchemaRegistryException unreachable =
                new SchemaRegistryException("unreachable", SchemaRegistryException.NO_HTTP_STATUS);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> failingFetch(cache, 1, unusable)).isSameAs(unusable);
            assertThatThrownBy(() -> failingFetch(cache, 2, unknown)).isSameAs(unknown);
            assertThatThrownBy(() -> failingFetch(cache, 3, unreachable)).isSameAs(unreachable);
        }

        // ids 1 and 2 once each, id 3 every time
        assertThat(fetches).hasValue(5);
        assertThat(rememberedUnknownHits).hasValue(2);
    }

    @Test
    void aZeroTimeToLiveRemembersNoUnknownId() {
        SchemaRegistryCache cache = new SchemaRegistryCache(settings("0"));
        SchemaRegistryException unknown = new SchemaRegistryException("unknown", 404);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> failingFetch(cache, 2, unknown)).isSameAs(unknown);
        }

        assertThat(fetches).hasValue(3);
        assertThat(rememberedUnknownHits).hasValue(0);
    }

    @Test
    void everyAnswerNamingAnIdSharesItsOneSchemaInstance() throws IOException {
        SchemaRegistryCache cache = new SchemaRegistryCache(settings("60"));
        Schema equalCopy = new Schema.Parser().parse(RECORD.toString());

        int id = cache.registeredId("s-value", RECORD, () -> 7);
        RegisteredSchema latest = cache.latest("s-value", () -> new RegisteredSchema("s-value", 7, 1, equalCopy));
        RegisteredSchema version = cache.version("s-value", 1, () -> new RegisteredSchema("s-value", 7, 1, equalCopy));

        assertThat(id).isEqualTo(7);
        assertThat(cache.knownSchema(7)).isSameAs(RECORD);
        assertThat(latest.schema()).isSameAs(RECORD);
        assertThat(version.schema()).isSameAs(RECORD);
        assertThat(cache.schema(7, () -> equalCopy, () -> {})).isSameAs(RECORD);
    }

    private Schema failingFetch(SchemaRegistryCache cache, int id, SchemaRegistryException failure) throws IOException {
        return cache.schema(
                id,
                () -> {
                    fetches.incrementAndGet();
                    throw failure;
                },
                rememberedUnknownHits::incrementAndGet);
    }

    private static SchemaRegistrySettings settings(String missingIdTtlSeconds) {
        return SchemaRegistrySettings.of(Map.of(
                SchemaRegistrySettings.URL,
                "http://127.0.0.1:1",
                SchemaRegistrySettings.MISSING_ID_CACHE_TTL_SEC,
                missingIdTtlSeconds));
    }
}
