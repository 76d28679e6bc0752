package dev.flinkkickstarter.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.internal.ProfileCredentialsUtils;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.sso.auth.SsoProfileCredentialsProviderFactory;

/**
 * An AWS SSO profile ({@code aws configure sso}, what {@code scripts/run-flink-locally.sh
 * --profile=NAME} passes as {@code AWS_PROFILE}) works with the jobs' classpath: the SDK's profile
 * credentials load the {@code sso} (and, for {@code sso_session} profiles, {@code ssooidc}) module
 * reflectively and fail with "must be on the class path" without them. No request is sent: the
 * providers are built, and resolving stops at the missing login token.
 */
class AwsSsoProfileTest {

    /** What {@code aws configure sso} writes since AWS CLI 2.9: a profile pointing at an sso-session. */
    private static final String SSO_SESSION_CONFIG = """
            [profile kickstarter]
            sso_session = kickstarter-sso
            sso_account_id = 123456789012
            sso_role_name = ReadOnly
            region = us-east-1

            [sso-session kickstarter-sso]
            sso_start_url = https://kickstarter-test.awsapps.com/start
            sso_region = us-east-1
            sso_registration_scopes = sso:account:access
            """;

    /** The legacy form, still written by older CLIs: the start URL in the profile itself. */
    private static final String LEGACY_SSO_CONFIG = """
            [profile kickstarter]
            sso_start_url = https://kickstarter-test.awsapps.com/start
            sso_region = us-east-1
            sso_account_id = 123456789012
            sso_role_name = ReadOnly
            region = us-east-1
            """;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void ssoProfileResolvesToTheSsoCredentialsProvider(boolean ssoSession) {
        ProfileFile file = configFile(ssoSession ? SSO_SESSION_CONFIG : LEGACY_SSO_CONFIG);
        Profile profile = file.profile("kickstarter").orElseThrow();

        // What ProfileCredentialsProvider delegates to for the profile it is given.
        AwsCredentialsProvider provider = new ProfileCredentialsUtils(file, profile, file::profile)
                .credentialsProvider()
                .orElseThrow();

        // The sso module's provider for profiles (a private class wrapping SsoCredentialsProvider).
        assertThat(provider.getClass().getEnclosingClass()).isEqualTo(SsoProfileCredentialsProviderFactory.class);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void resolvingStopsAtTheMissingLoginNotAtAMissingModule(boolean ssoSession) {
        ProfileCredentialsProvider provider = ProfileCredentialsProvider.builder()
                .profileFile(configFile(ssoSession ? SSO_SESSION_CONFIG : LEGACY_SSO_CONFIG))
                .profileName("kickstarter")
                .build();

        // No token is cached for this start URL, so the SSO provider fails before any request; without the
        // modules the profile itself would fail to load, naming the module that is missing.
        assertThatThrownBy(provider::resolveCredentials)
                .hasStackTraceContaining("token")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("must be on the class path"));
    }

    private static ProfileFile configFile(String content) {
        return ProfileFile.builder()
                .content(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)))
                .type(ProfileFile.Type.CONFIGURATION)
                .build();
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
