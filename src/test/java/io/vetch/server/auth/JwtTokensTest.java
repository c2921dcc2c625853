package io.vetch.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT tokens: issued tokens verify with their user and revision; forged, foreign-key or expired ones do not. */
class JwtTokensTest {
  @TempDir Path dir;

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label
        + "-----\n";
  }

  private String keys(String name, String alg) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
    g.initialize(alg.equals("RSA") ? 2048 : 256);
    KeyPair kp = g.generateKeyPair();
    Files.writeString(dir.resolve(name + ".pub"), pem("PUBLIC KEY", kp.getPublic().getEncoded()));
    Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    return "pub-key=" + dir.resolve(name + ".pub") + ",priv-key=" + dir.resolve(name + ".key");
  }

  @Test
  void issueAndVerify() throws Exception {
    JwtTokens rsa = JwtTokens.parse(keys("a", "RSA") + ",sign-method=RS256,ttl=1m", v -> 60_000);
    String token = rsa.issue("alice", 7, null);
    assertEquals(new AuthInfo("alice", 7), rsa.info(token, 9));
    int sig = token.lastIndexOf('.') + 1; // change a whole character: the last may carry unused bits
    char c = token.charAt(sig);
    assertNull(rsa.info(token.substring(0, sig) + (c == 'A' ? 'B' : 'A') + token.substring(sig + 1), 9),
        "a forged signature");
    JwtTokens other = JwtTokens.parse(keys("b", "RSA") + ",sign-method=RS256", v -> 60_000);
    assertNull(other.info(token, 9), "signed with another key");
    JwtTokens expired = JwtTokens.parse(keys("c", "EC") + ",sign-method=ES256,ttl=0s", v -> -1);
    assertNull(expired.info(expired.issue("bob", 1, null), 1));
    JwtTokens ec = JwtTokens.parse(keys("d", "EC") + ",sign-method=ES256", v -> 60_000);
    assertEquals(new AuthInfo("bob", 3), ec.info(ec.issue("bob", 3, null), 3));
    assertThrows(IllegalArgumentException.class, () -> JwtTokens.parse("sign-method=HS256", v -> 0));
  }
}
