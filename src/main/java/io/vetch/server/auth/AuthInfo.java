package io.vetch.server.auth;

/**
 * Who a request acts for, as etcd's auth.AuthInfo: the user its token names (empty for none) and the auth store's
 * revision when the token was checked (0 for none). Apply compares that revision with the store's, so a permission
 * changed between the check and the apply is checked again there.
 */
public record AuthInfo(String user, long revision) {
  /** No token (or auth disabled). */
  public static final AuthInfo NONE = new AuthInfo("", 0);
}
