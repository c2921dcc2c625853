package io.vetch.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * etcd's JWT token provider ({@code --auth-token jwt,pub-key=PATH,priv-key=PATH,sign-method=RS256,ttl=5m}): tokens
 * are signed with claims {@code username}, {@code revision} (the auth revision they were issued at) and {@code exp};
 * any member holding the public key verifies them, so nothing about them goes through Raft. As on etcd, a token
 * issued before an auth change is refused by permission checks ("revision of auth store is old") and clients
 * authenticate again. Keys are PEM: PKCS#8 or PKCS#1 (RSA) private keys, X.509 SubjectPublicKeyInfo public keys. A
 * member with only the public key verifies but cannot issue. Sign methods: RS256/384/512, PS256/384/512,
 * ES256/384/512. Thread-safe.
 */
public final class JwtTokens implements TokenProvider {
  private static final Set<String> RSA = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
  private static final Set<String> EC = Set.of("ES256", "ES384", "ES512");

  private final JWSAlgorithm alg;
  private final JWSSigner signer;
  private final JWSVerifier verifier;
  private final long ttlMs;

  private JwtTokens(JWSAlgorithm alg, JWSSigner signer, JWSVerifier verifier, long ttlMs) {
    this.alg = alg;
    this.signer = signer;
    this.verifier = verifier;
    this.ttlMs = ttlMs;
  }

  /** Parses etcd's option string after "jwt,"; throws IllegalArgumentException naming what is wrong. */
  public static JwtTokens parse(String options, java.util.function.ToLongFunction<String> durationMs) {
    Map<String, String> o = new HashMap<>();
    for (String kv : options.split(",")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      if (eq < 0 || o.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("invalid auth token option " + kv);
      }
    }
    String method = o.getOrDefault("sign-method", "");
    if (!RSA.contains(method) && !EC.contains(method)) {
      throw new IllegalArgumentException("unsupported JWT sign-method \"" + method + "\" (RS*, PS* or ES*)");
    }
    long ttl = o.containsKey("ttl") ? durationMs.applyAsLong(o.get("ttl")) : 5 * 60_000;
    try {
      JWSAlgorithm alg = JWSAlgorithm.parse(method);
      String keyAlg = RSA.contains(method) ? "RSA" : "EC";
      PublicKey pub = o.containsKey("pub-key") ? publicKey(Path.of(o.get("pub-key")), keyAlg) : null;
      PrivateKey priv = o.containsKey("priv-key") ? privateKey(Path.of(o.get("priv-key")), keyAlg) : null;
      if (pub == null) {
        throw new IllegalArgumentException("JWT tokens need pub-key");
      }
      JWSSigner signer = priv == null ? null
          : keyAlg.equals("RSA") ? new RSASSASigner(priv) : new ECDSASigner((ECPrivateKey) priv);
      JWSVerifier verifier = keyAlg.equals("RSA") ? new RSASSAVerifier((RSAPublicKey) pub)
          : new ECDSAVerifier((ECPublicKey) pub);
      return new JwtTokens(alg, signer, verifier, ttl);
    } catch (IOException | java.security.GeneralSecurityException | JOSEException e) {
      throw new IllegalArgumentException("cannot load the JWT keys: " + e.getMessage());
    }
  }

  @Override
  public AuthInfo info(String token, long currentRevision) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!jwt.getHeader().getAlgorithm().equals(alg) || !jwt.verify(verifier)) {
        return null;
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      if (c.getExpirationTime() == null || c.getExpirationTime().before(new Date())) {
        return null;
      }
      String user = c.getStringClaim("username");
      Long revision = c.getLongClaim("revision");
      return user == null || revision == null ? null : new AuthInfo(user, revision);
    } catch (ParseException | JOSEException e) {
      return null;
    }
  }

  @Override
  public String issue(String user, long revision, String clearSimpleToken) {
    if (signer == null) {
      throw new IllegalStateException("this member has no JWT private key (priv-key) to sign tokens with");
    }
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(alg), new JWTClaimsSet.Builder().claim("username", user)
          .claim("revision", revision).expirationTime(new Date(System.currentTimeMillis() + ttlMs)).build());
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a JWT", e);
    }
  }

  @Override
  public void assign(String digest, String user) {}

  @Override
  public void invalidate(String user) {}

  @Override
  public boolean simple() {
    return false;
  }

  private static byte[] pem(Path file, String... labels) throws IOException {
    String text = Files.readString(file);
    for (String label : labels) {
      int b = text.indexOf("-----BEGIN " + label + "-----");
      int e = text.indexOf("-----END " + label + "-----");
      if (b >= 0 && e > b) {
        String body = text.substring(b + label.length() + 16, e).replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
      }
    }
    throw new IOException(file + ": no PEM block " + String.join(" or ", labels));
  }

  private static PublicKey publicKey(Path file, String alg) throws IOException, java.security.GeneralSecurityException {
    return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(pem(file, "PUBLIC KEY")));
  }

  private static PrivateKey privateKey(Path file, String alg) throws IOException, java.security.GeneralSecurityException {
    String text = Files.readString(file);
    byte[] der = text.contains("BEGIN RSA PRIVATE KEY") ? pkcs1ToPkcs8(pem(file, "RSA PRIVATE KEY"))
        : pem(file, "PRIVATE KEY");
    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, octet string). */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octet = concat(new byte[] {0x04}, derLength(pkcs1.length), pkcs1);
    byte[] body = concat(version, algId, octet);
    return concat(new byte[] {0x30}, derLength(body.length), body);
  }

  private static byte[] derLength(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    if (n < 0x100) {
      return new byte[] {(byte) 0x81, (byte) n};
    }
    if (n < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    }
    return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int i = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, i, p.length);
      i += p.length;
    }
    return out;
  }
}
