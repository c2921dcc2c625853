package io.vetch.server.auth;

/**
 * etcd's auth token providers (--auth-token): {@link SimpleTokens} (opaque, kept by every member) or
 * {@link JwtTokens} (signed, self-contained). Thread-safe.
 */
public interface TokenProvider {
  /** Who token names at the store's current auth revision, or null when it is unknown, expired or forged. */
  AuthInfo info(String token, long currentRevision);

  /**
   * A new token for user after the Authenticate entry at revision is applied on the member that took the request;
   * digest is what that entry carried (simple tokens), null for signed tokens.
   */
  String issue(String user, long revision, String clearSimpleToken);

  /** Applied Authenticate: installs the token whose digest the entry carries (simple tokens only). */
  void assign(String digest, String user);

  /** Forgets user's tokens (deleted, or a new password); signed tokens cannot be recalled and just expire. */
  void invalidate(String user);

  /** Whether Authenticate entries carry a token digest (simple tokens). */
  boolean simple();
}
