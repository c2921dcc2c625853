package io.vetch.mvcc;

import io.vetch.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Helpers shared by the mvcc tests. */
final class StoreFixture {
  static final StoreOptions SMALL = new StoreOptions(1_000, 32);

  private StoreFixture() {
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String str(KeyValue kv) {
    return kv.getKey().toStringUtf8() + "=" + kv.getValue().toStringUtf8();
  }

  static List<String> keys(RangeResult r) {
    return r.kvs().stream().map(kv -> kv.getKey().toStringUtf8()).collect(Collectors.toList());
  }

  /** Puts key=value in its own txn at raftIndex; returns the txn's revision. */
  static long put(KvStore s, long raftIndex, String key, String value) {
    WriteTxn t = s.write(raftIndex);
    long rev = t.put(b(key), b(value), 0);
    t.end();
    return rev;
  }

  static long delete(KvStore s, long raftIndex, String key) {
    WriteTxn t = s.write(raftIndex);
    long n = t.deleteRange(b(key), null);
    t.end();
    return n;
  }

  static KeyValue get(KvStore s, String key, long rev) throws Exception {
    List<KeyValue> kvs = s.range(b(key), null, rev, 0, false).kvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }
}
