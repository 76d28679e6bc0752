package dev.flinkkickstarter.localruntime.schemaregistry;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import java.util.stream.StreamSupport;
import javax.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Requires HTTP basic authentication for the registry's APIs ({@code /apis/...}) when the registry is started
 * with at least one user ({@code -Dquarkus.security.users.embedded.users.NAME=PASSWORD}); without users, the
 * registry is open, like a local Confluent Schema Registry.
 *
 * <p>Quarkus 2.16 fixes {@code quarkus.http.auth.permission.*} at build time, so a path-based permission would
 * make one build either always or never authenticate. Quarkus applies every {@link HttpSecurityPolicy} bean to
 * every request, so this policy lets a single build serve both the open local runtime and the tests of basic
 * auth. Health endpoints stay open for readiness probes.
 */
@Singleton
public class BasicAuthWhenUsersConfiguredPolicy implements HttpSecurityPolicy {

    private static final String USERS_PREFIX = "quarkus.security.users.embedded.users.";
    private static final String PROTECTED_PATH_PREFIX = "/apis/";

    private final boolean authenticationRequired = StreamSupport.stream(
                    ConfigProvider.getConfig().getPropertyNames().spliterator(), false)
            .anyMatch(name -> name.startsWith(USERS_PREFIX));

    @Override
    public Uni<CheckResult> checkPermission(
            RoutingContext request, Uni<SecurityIdentity> identity, AuthorizationRequestContext requestContext) {
        if (!authenticationRequired || !request.normalizedPath().startsWith(PROTECTED_PATH_PREFIX)) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        // An anonymous request is answered with 401 and a basic-auth challenge.
        return identity.map(user -> user.isAnonymous() ? CheckResult.DENY : CheckResult.PERMIT);
    }
}
