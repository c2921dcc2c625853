package io.vetch.v2;

import java.util.concurrent.atomic.AtomicLongArray;

/** The store's operation counters (etcd's v2store.Stats), as {@code /v2/stats/store} shows them. Thread-safe. */
public final class V2Stats {
  /** The counters, in the order of etcd's JSON fields (its "watchers" is the hub's count, added when shown). */
  enum Counter {
    GET_SUCCESS("getsSuccess"), GET_FAIL("getsFail"), SET_SUCCESS("setsSuccess"), SET_FAIL("setsFail"),
    DELETE_SUCCESS("deleteSuccess"), DELETE_FAIL("deleteFail"), UPDATE_SUCCESS("updateSuccess"),
    UPDATE_FAIL("updateFail"), CREATE_SUCCESS("createSuccess"), CREATE_FAIL("createFail"),
    COMPARE_AND_SWAP_SUCCESS("compareAndSwapSuccess"), COMPARE_AND_SWAP_FAIL("compareAndSwapFail"),
    COMPARE_AND_DELETE_SUCCESS("compareAndDeleteSuccess"), COMPARE_AND_DELETE_FAIL("compareAndDeleteFail"),
    EXPIRE_COUNT("expireCount");

    final String json;

    Counter(String json) {
      this.json = json;
    }
  }

  private final AtomicLongArray counts = new AtomicLongArray(Counter.values().length);

  void inc(Counter c) {
    counts.incrementAndGet(c.ordinal());
  }

  long get(Counter c) {
    return counts.get(c.ordinal());
  }

  void set(Counter c, long v) {
    counts.set(c.ordinal(), v);
  }

  /** etcd's JSON of its Stats: every counter, then {@code watchers}. */
  String toJson(long watchers) {
    StringBuilder b = new StringBuilder(400).append('{');
    for (Counter c : Counter.values()) {
      b.append('"').append(c.json).append("\":").append(Long.toUnsignedString(get(c))).append(',');
    }
    return b.append("\"watchers\":").append(watchers).append('}').toString();
  }
}
