package io.vetch.v2;

/**
 * A v2 request as etcd's Raft log carries it (etcdserverpb.Request; the server turns the proto message into this).
 * {@code method} is POST, PUT, DELETE, QGET (a quorum GET), SYNC (expire TTLs up to {@code time}), or GET/HEAD for
 * local reads; {@code prevExist} and {@code refresh} are null when not given; {@code expiration} and {@code time}
 * are unix nanoseconds (0 = none); indexes are unsigned.
 */
public record V2Request(long id, String method, String path, String val, boolean dir, String prevValue,
    long prevIndex, Boolean prevExist, long expiration, boolean waitForChange, long since, boolean recursive,
    boolean sorted, boolean quorum, long time, boolean stream, Boolean refresh) {

  public V2Request {
    method = method == null ? "" : method;
    path = path == null ? "" : path;
    val = val == null ? "" : val;
    prevValue = prevValue == null ? "" : prevValue;
  }

  /** etcd's TTLOptions: the expiry given (0 = none) and whether this is a refresh. */
  public V2TtlOptions ttlOptions() {
    return new V2TtlOptions(expiration, Boolean.TRUE.equals(refresh));
  }
}
