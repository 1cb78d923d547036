package io.herald.hub.publish;

import io.herald.hub.auth.JwtVerifier;
import java.util.List;

/**
 * What {@link PublishAdmission} needs of the hub's configuration, and nothing more (the hub builds
 * it from its {@code HubConfig}; see there for each setting's meaning and default).
 *
 * @param cookieName the cookie a browser's token may come in
 * @param publisherVerifier verifies publisher tokens
 * @param publishOrigins the origins a cookie-authenticated publish may come from ({@code *}: any)
 */
public record PublishSettings(String cookieName, JwtVerifier publisherVerifier, List<String> publishOrigins) {
  public PublishSettings {
    publishOrigins = List.copyOf(publishOrigins);
  }
}
