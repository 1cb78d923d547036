package io.herald.hub.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.util.Set;

/**
 * Verifies EdDSA (Ed25519, Ed448) JWS signatures with the JDK's own EdDSA implementation.
 *
 * <p>Why not nimbus's {@code Ed25519Verifier}: it delegates to Google Tink (an optional
 * dependency of nimbus, pulling Tink and its protobuf runtime) and wants the key as a JWK. The
 * JDK has verified EdDSA natively since Java 15, so a dozen lines here avoid the dependency and
 * accept the PEM public key directly.
 *
 * <p>Thread-safe: a {@link Signature} is created per call (they are not thread-safe).
 */
final class EdDsaVerifier implements JWSVerifier {
  private final EdECPublicKey key;
  private final Set<JWSAlgorithm> algorithms;
  private final JCAContext jcaContext = new JCAContext();

  EdDsaVerifier(EdECPublicKey key, JWSAlgorithm algorithm) {
    this.key = key;
    this.algorithms = Set.of(algorithm);
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
    if (!algorithms.contains(header.getAlgorithm())) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("EdDSA");
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(signature.decode());
    } catch (GeneralSecurityException | RuntimeException e) {
      // A signature of the wrong length or shape is simply not a valid signature.
      return false;
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return algorithms;
  }

  @Override
  public JCAContext getJCAContext() {
    return jcaContext;
  }
}
