package dev.flinkkickstarter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both fat jars carry the AWS SDK's {@code sso} and {@code ssooidc} modules, which the SDK's
 * profile credentials load reflectively for an SSO profile ({@code aws configure sso}; common's
 * AwsSsoProfileTest shows they resolve such a profile): without them {@code --config-source aws}
 * fails with an SSO profile, e.g. in the Docker cloud profile.
 */
class JobJarsAwsSsoITCase {

    @ParameterizedTest
    @ValueSource(strings = {"datagen-job", "avro-to-iceberg-job"})
    void jobJarShadesTheSsoModules(String module) throws IOException {
        Path jar = Path.of(System.getProperty("e2e.repository.root"), module, "target", module + ".jar");
        assertThat(jar).as("fat jar (built by ./mvnw package)").isRegularFile();

        try (JarFile entries = new JarFile(jar.toFile())) {
            for (String entry : new String[] {
                // What the SDK's ProfileCredentialsUtils loads by name for an sso profile ...
                "software/amazon/awssdk/services/sso/auth/SsoProfileCredentialsProviderFactory.class",
                "software/amazon/awssdk/services/sso/SsoClient.class",
                // ... and for a profile with an sso_session (the token provider that refreshes the login).
                "software/amazon/awssdk/services/ssooidc/SsoOidcProfileTokenProviderFactory.class",
                "software/amazon/awssdk/services/ssooidc/SsoOidcClient.class"
            }) {
                assertThat(entries.getEntry(entry)).as("%s in %s", entry, jar).isNotNull();
            }
        }
    }
}
