package io.vetch.server.http;

import io.vetch.api.etcdserverpb.Request;
import io.vetch.v2.V2Error;

/**
 * etcd's parseKeyRequest (v2http/client.go): a /v2/keys request's method, path and form into etcd's v2
 * {@link Request}, with etcd's error codes and causes for bad fields, checked in etcd's order. The key is the
 * cleaned path after /v2/keys ("/" for the root: the v2 store holds etcd's "/1" key space alone); a TTL becomes an
 * absolute Expiration from now.
 */
final class V2KeyRequests {
  static final String KEYS_PREFIX = "/v2/keys";

  /** A request, and etcd's noValueOnSuccess (answer a write without its node). */
  record Parsed(Request request, boolean noValueOnSuccess) {}

  private V2KeyRequests() {}

  /** path: the decoded URL path (starting with /v2/keys); nowNanos: the wall clock, Unix nanoseconds. */
  static Parsed parse(String method, String path, GoForm form, long nowNanos) throws V2Error {
    if (form.error() != null) {
      throw new V2Error(V2Error.INVALID_FORM, form.error(), 0);
    }
    if (!path.startsWith(KEYS_PREFIX)) {
      throw new V2Error(V2Error.INVALID_FORM, "incorrect key prefix", 0);
    }
    String p = GoPaths.join("/", path.substring(KEYS_PREFIX.length()));
    long prevIndex = uint(form, "prevIndex", V2Error.INDEX_NAN, "invalid value for \"prevIndex\"");
    long waitIndex = uint(form, "waitIndex", V2Error.INDEX_NAN, "invalid value for \"waitIndex\"");
    boolean recursive = bool(form, "recursive");
    boolean sorted = bool(form, "sorted");
    boolean wait = bool(form, "wait");
    boolean dir = bool(form, "dir");
    boolean quorum = bool(form, "quorum");
    boolean stream = bool(form, "stream");
    if (wait && !method.equals("GET")) {
      throw new V2Error(V2Error.INVALID_FIELD, "\"wait\" can only be used with GET requests", 0);
    }
    String prevValue = form.value("prevValue");
    if (form.has("prevValue") && prevValue.isEmpty()) {
      throw new V2Error(V2Error.PREV_VALUE_REQUIRED, "\"prevValue\" cannot be empty", 0);
    }
    boolean noValueOnSuccess = bool(form, "noValueOnSuccess");
    Long ttl = null;
    if (!form.value("ttl").isEmpty()) {
      ttl = uint(form, "ttl", V2Error.TTL_NAN, "invalid value for \"ttl\"");
    }
    Boolean prevExist = null;
    if (form.has("prevExist")) {
      prevExist = goBool(form.value("prevExist"));
      if (prevExist == null) {
        throw new V2Error(V2Error.INVALID_FIELD, "invalid value for prevExist", 0);
      }
    }
    Boolean refresh = null;
    if (form.has("refresh")) {
      refresh = goBool(form.value("refresh"));
      if (refresh == null) {
        throw new V2Error(V2Error.INVALID_FIELD, "invalid value for refresh", 0);
      }
      if (refresh) {
        if (form.has("value") && !form.value("value").isEmpty()) {
          throw new V2Error(V2Error.REFRESH_VALUE, "A value was provided on a refresh", 0);
        }
        if (ttl == null) {
          throw new V2Error(V2Error.REFRESH_TTL_REQUIRED, "No TTL value set", 0);
        }
      }
    }
    Request.Builder r = Request.newBuilder().setMethod(method).setPath(p).setVal(form.value("value")).setDir(dir)
        .setPrevValue(prevValue).setPrevIndex(prevIndex).setWait(wait).setSince(waitIndex).setRecursive(recursive)
        .setSorted(sorted).setQuorum(quorum).setStream(stream);
    if (prevExist != null) {
      r.setPrevExist(prevExist);
    }
    if (refresh != null) {
      r.setRefresh(refresh);
    }
    if (ttl != null) {
      // Go's time.Duration(ttl) * time.Second and Time.Add: int64 arithmetic that wraps on overflow.
      r.setExpiration(nowNanos + ttl * 1_000_000_000L);
    }
    return new Parsed(r.build(), noValueOnSuccess);
  }

  /** getBool: false when absent; Go's strconv.ParseBool of the first value. */
  private static boolean bool(GoForm form, String key) throws V2Error {
    if (!form.has(key)) {
      return false;
    }
    Boolean b = goBool(form.value(key));
    if (b == null) {
      throw new V2Error(V2Error.INVALID_FIELD, "invalid value for \"" + key + "\"", 0);
    }
    return b;
  }

  /** getUint64: 0 when absent; Go's strconv.ParseUint (decimal digits, at most 2^64-1) as an unsigned long. */
  private static long uint(GoForm form, String key, int code, String cause) throws V2Error {
    if (!form.has(key)) {
      return 0;
    }
    String v = form.value(key);
    if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new V2Error(code, cause, 0);
    }
    try {
      return Long.parseUnsignedLong(v);
    } catch (NumberFormatException e) {
      throw new V2Error(code, cause, 0);
    }
  }

  /** strconv.ParseBool, or null when Go would refuse the text. */
  static Boolean goBool(String v) {
    return switch (v) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> null;
    };
  }
}
