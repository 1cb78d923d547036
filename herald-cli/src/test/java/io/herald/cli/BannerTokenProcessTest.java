package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.herald.cli.ServeProcessTest.Herald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup banner's token (issue 14, finding 9): printed only for a key generated for the
 * session, with an expiry, and never when the hub logs JSON; a configured key never gets one.
 */
class BannerTokenProcessTest {
  private static final String KEY = "banner-token-test-secret-long-enough-for-hs256";
  /** A compact JWS: three base64url parts; any token the hub could print looks like this. */
  private static final Pattern JWS = Pattern.compile("eyJ[\\w-]*\\.[\\w-]+\\.[\\w-]+");

  @TempDir Path dir;

  @Test
  void aConfiguredKeyGetsNoTokenInTheBanner() throws Exception {
    Herald hub = Herald.serve(dir, Map.of("HERALD_PUBLISHER_JWT_KEY", KEY), "--history", "memory");
    String stdout = everythingPrinted(hub);
    assertThat(stdout).contains(Herald.NO_TOKEN);
    assertThat(JWS.matcher(stdout).find()).as("a token in stdout:%n%s", stdout).isFalse();
  }

  @Test
  void jsonLogsGetNoTokenAnywhere() throws Exception {
    Herald hub = Herald.serve(dir, Map.of(), "--log-format", "json", "--history", "memory");
    String stdout = everythingPrinted(hub);
    String stderr = Files.readString(hub.stderr);
    assertThat(stdout).contains(Herald.NO_TOKEN_JSON);
    assertThat(JWS.matcher(stdout).find()).as("a token in stdout:%n%s", stdout).isFalse();
    assertThat(JWS.matcher(stderr).find()).as("a token in stderr:%n%s", stderr).isFalse();
  }

  @Test
  void theGeneratedKeysTokenExpiresInADayAndTheBannerSaysWhen() throws Exception {
    Instant before = Instant.now();
    try (Herald hub = Herald.serve(dir, Map.of(), "--history", "memory")) {
      assertThat(hub.token).isNotNull();
      Instant exp = SignedJWT.parse(hub.token).getJWTClaimsSet().getExpirationTime().toInstant();
      assertThat(exp).isAfter(before.plus(Duration.ofHours(23)))
          .isBefore(Instant.now().plus(Duration.ofHours(24)).plusSeconds(60));
      assertThat(hub.banner).contains(Herald.TOKEN_HEADING + ", expires " + exp + "):");
    }
  }

  /** Stops the hub and returns all it printed on stdout. */
  private static String everythingPrinted(Herald hub) throws Exception {
    hub.close();
    assertThat(hub.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> all = new ArrayList<>(hub.seen);
    String line;
    while ((line = hub.lines.poll(10, TimeUnit.SECONDS)) != null && !line.startsWith("\u0000")) {
      all.add(line);
    }
    return String.join("\n", all);
  }
}
