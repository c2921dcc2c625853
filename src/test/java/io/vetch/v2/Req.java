package io.vetch.v2;

/** Builds a {@link V2Request} the way etcd's v2 HTTP handler fills one from a request's form. */
final class Req {
  private final String method;
  private final String path;
  private String val = "";
  private boolean dir;
  private String prevValue = "";
  private long prevIndex;
  private Boolean prevExist;
  private long expiration;
  private boolean recursive;
  private boolean sorted;
  private long time;
  private Boolean refresh;

  private Req(String method, String path) {
    this.method = method;
    this.path = path;
  }

  static Req put(String path, String val) {
    return new Req("PUT", path).val(val);
  }

  static Req post(String path, String val) {
    return new Req("POST", path).val(val);
  }

  static Req delete(String path) {
    return new Req("DELETE", path);
  }

  static Req qget(String path) {
    return new Req("QGET", path);
  }

  static Req sync(long time) {
    Req r = new Req("SYNC", "");
    r.time = time;
    return r;
  }

  Req val(String v) {
    val = v;
    return this;
  }

  Req dir() {
    dir = true;
    return this;
  }

  Req prevValue(String v) {
    prevValue = v;
    return this;
  }

  Req prevIndex(long i) {
    prevIndex = i;
    return this;
  }

  Req prevExist(boolean b) {
    prevExist = b;
    return this;
  }

  Req expiration(long unixNanos) {
    expiration = unixNanos;
    return this;
  }

  Req recursive() {
    recursive = true;
    return this;
  }

  Req sorted() {
    sorted = true;
    return this;
  }

  Req refresh() {
    refresh = true;
    return this;
  }

  V2Request build() {
    return new V2Request(1, method, path, val, dir, prevValue, prevIndex, prevExist, expiration, false, 0, recursive,
        sorted, false, time, false, refresh);
  }

  V2Event on(V2Store s) {
    return V2Apply.apply(s, build());
  }
}
