package io.vetch.server.auth;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * etcd's simple token provider: opaque random tokens, each naming a user, valid for a TTL (--auth-token-ttl,
 * default 300 s) that every use extends. A token is made by the member that authenticates the user and installed on
 * every member when the Authenticate entry is applied, so any member accepts it. Unlike etcd, the entry (and this
 * table) holds only the token's SHA-256 digest: the clear token is never in the Raft log. Thread-safe.
 */
public final class SimpleTokens implements TokenProvider {
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(String user, long deadlineNanos) {}

  private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final LongSupplier clock;

  public SimpleTokens(long ttlSeconds, LongSupplier clock) {
    this.ttlNanos = ttlSeconds * 1_000_000_000L;
    this.clock = clock;
  }

  /** A new token: 32 random letters (etcd's are 16 letters and an index). */
  public static String generate() {
    StringBuilder b = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      b.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
    }
    return b.toString();
  }

  /** What the Raft log and this table hold of a token: its SHA-256, hex. */
  public static String digest(String token) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  @Override
  public AuthInfo info(String token, long currentRevision) {
    String user = user(token);
    return user == null ? null : new AuthInfo(user, currentRevision);
  }

  @Override
  public String issue(String user, long revision, String clearSimpleToken) {
    return clearSimpleToken;
  }

  @Override
  public boolean simple() {
    return true;
  }

  /** Installs the token with this digest for user (applied Authenticate). */
  @Override
  public void assign(String digest, String user) {
    long now = clock.getAsLong();
    tokens.values().removeIf(e -> e.deadlineNanos - now < 0);
    tokens.put(digest, new Entry(user, now + ttlNanos));
  }

  /** The user token names, extending its life; null when unknown or expired. */
  public String user(String clearToken) {
    long now = clock.getAsLong();
    String token = digest(clearToken);
    Entry e = tokens.get(token);
    if (e == null || e.deadlineNanos - now < 0) {
      return null;
    }
    tokens.put(token, new Entry(e.user, now + ttlNanos));
    return e.user;
  }

  /** Drops every token of user (deleted, or its password changed). */
  @Override
  public void invalidate(String user) {
    tokens.values().removeIf(e -> e.user.equals(user));
  }
}
