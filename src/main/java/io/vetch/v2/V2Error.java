package io.vetch.v2;

import java.util.Map;

/**
 * An error of etcd's v2 API (etcd's v2error.Error): its code, etcd's message for it, a cause (a key, or the reason a
 * compare failed) and the store index it was raised at. {@link #toJson()} is etcd's JSON body, {@link #status()} its
 * HTTP status. Immutable; no stack trace (these are answers to clients, not faults).
 */
public final class V2Error extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final int KEY_NOT_FOUND = 100;
  public static final int TEST_FAILED = 101;
  public static final int NOT_FILE = 102;
  public static final int NOT_DIR = 104;
  public static final int NODE_EXIST = 105;
  public static final int ROOT_READ_ONLY = 107;
  public static final int DIR_NOT_EMPTY = 108;
  public static final int UNAUTHORIZED = 110;
  public static final int VALUE_REQUIRED = 200;
  public static final int PREV_VALUE_REQUIRED = 201;
  public static final int TTL_NAN = 202;
  public static final int INDEX_NAN = 203;
  public static final int VALUE_OR_TTL_REQUIRED = 204;
  public static final int TIMEOUT_NAN = 205;
  public static final int NAME_REQUIRED = 206;
  public static final int INDEX_OR_VALUE_REQUIRED = 207;
  public static final int INDEX_VALUE_MUTEX = 208;
  public static final int INVALID_FIELD = 209;
  public static final int INVALID_FORM = 210;
  public static final int REFRESH_VALUE = 211;
  public static final int REFRESH_TTL_REQUIRED = 212;
  public static final int RAFT_INTERNAL = 300;
  public static final int LEADER_ELECT = 301;
  public static final int WATCHER_CLEARED = 400;
  public static final int EVENT_INDEX_CLEARED = 401;

  private static final Map<Integer, String> MESSAGES = Map.ofEntries(
      Map.entry(100, "Key not found"),
      Map.entry(101, "Compare failed"),
      Map.entry(102, "Not a file"),
      Map.entry(103, "Reached the max number of peers in the cluster"),
      Map.entry(104, "Not a directory"),
      Map.entry(105, "Key already exists"),
      Map.entry(106, "The prefix of given key is a keyword in etcd"),
      Map.entry(107, "Root is read only"),
      Map.entry(108, "Directory not empty"),
      Map.entry(109, "Peer address has existed"),
      Map.entry(110, "The request requires user authentication"),
      Map.entry(200, "Value is Required in POST form"),
      Map.entry(201, "PrevValue is Required in POST form"),
      Map.entry(202, "The given TTL in POST form is not a number"),
      Map.entry(203, "The given index in POST form is not a number"),
      Map.entry(204, "Value or TTL is required in POST form"),
      Map.entry(205, "The given timeout in POST form is not a number"),
      Map.entry(206, "Name is required in POST form"),
      Map.entry(207, "Index or value is required"),
      Map.entry(208, "Index and value cannot both be specified"),
      Map.entry(209, "Invalid field"),
      Map.entry(210, "Invalid POST form"),
      Map.entry(211, "Value provided on refresh"),
      Map.entry(212, "A TTL must be provided on refresh"),
      Map.entry(300, "Raft Internal Error"),
      Map.entry(301, "During Leader Election"),
      Map.entry(400, "watcher is cleared due to etcd recovery"),
      Map.entry(401, "The event in requested index is outdated and cleared"),
      Map.entry(402, "Standby Internal Error"),
      Map.entry(403, "Invalid active size"),
      Map.entry(404, "Standby remove delay"),
      Map.entry(500, "Client Internal Error"));
  private static final Map<Integer, Integer> STATUS = Map.of(100, 404, 102, 403, 108, 403, 110, 401, 101, 412, 105,
      412, 300, 500, 301, 500);

  private final int code;
  private final String etcdCause;
  private final long index;

  /** An error with etcd's message for {@code code}; {@code cause} may be empty (then JSON omits it). */
  public V2Error(int code, String cause, long index) {
    super(MESSAGES.getOrDefault(code, "") + " (" + cause + ")", null, false, false);
    this.code = code;
    this.etcdCause = cause == null ? "" : cause;
    this.index = index;
  }

  /** etcd's NewRequestError: an error about the request itself, index 0. */
  public static V2Error request(int code, String cause) {
    return new V2Error(code, cause, 0);
  }

  public int code() {
    return code;
  }

  /** etcd's message for the code ("" for a code etcd does not know). */
  public String etcdMessage() {
    return MESSAGES.getOrDefault(code, "");
  }

  /** The key or reason; "" when none. */
  public String cause() {
    return etcdCause;
  }

  /** The store index the error was raised at (the X-Etcd-Index header of the answer). */
  public long index() {
    return index;
  }

  V2Error withIndex(long newIndex) {
    return new V2Error(code, etcdCause, newIndex);
  }

  /** The HTTP status etcd answers this error with (400 for codes without their own). */
  public int status() {
    return STATUS.getOrDefault(code, 400);
  }

  /**
   * etcd's body, as Go's json.Marshal writes it (no trailing newline; etcd's HTTP answer adds one):
   * {@code {"errorCode":100,"message":"Key not found","cause":"/foo","index":3}}, cause omitted when empty.
   */
  public String toJson() {
    StringBuilder b = new StringBuilder(96).append("{\"errorCode\":").append(code).append(",\"message\":");
    GoJson.string(b, etcdMessage());
    if (!etcdCause.isEmpty()) {
      GoJson.string(b.append(",\"cause\":"), etcdCause);
    }
    return b.append(",\"index\":").append(Long.toUnsignedString(index)).append('}').toString();
  }
}
