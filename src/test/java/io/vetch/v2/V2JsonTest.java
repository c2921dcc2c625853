package io.vetch.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * JSON bytes compared with what a real etcd 3.4.23 answered ({@code etcd --enable-v2}, then
 * {@code curl -s -i http://127.0.0.1:PORT/v2/keys/...}; bodies copied here without the trailing newline). etcd's
 * store started at index 3 (its own membership writes, outside the v2 key space), so each session here first moves
 * the index to where etcd's was with writes of its own.
 */
class V2JsonTest {
  private final AtomicLong now = new AtomicLong();
  private final V2Store s = new V2Store(now::get);

  private static long at(String rfc3339) {
    Instant t = Instant.parse(rfc3339);
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private void json(String expected, Req r) {
    assertEquals(expected, r.on(s).toJson());
  }

  private void error(int status, String expected, Req r) {
    V2Error e = assertThrows(V2Error.class, () -> r.on(s));
    assertEquals(expected, e.toJson());
    assertEquals(status, e.status());
  }

  private String watched(String key, boolean recursive, long since) {
    List<V2Event> seen = new ArrayList<>();
    s.watch(key, recursive, false, since).onEvent(seen::add);
    assertEquals(1, seen.size());
    return seen.get(0).toJson();
  }

  private void padTo(long index) {
    while (s.index() < index) {
      s.set("/pad", false, "", V2TtlOptions.PERMANENT);
    }
  }

  @Test
  void aCurlSessionAgainstEtcd() {
    s.create("/t", false, "", false, V2TtlOptions.PERMANENT);
    s.update("/t", "", V2TtlOptions.PERMANENT);
    s.delete("/t", false, false);
    V2Event root = s.get("/", false, false);
    assertEquals("{\"action\":\"get\",\"node\":{\"dir\":true}}", root.toJson());
    assertEquals(3, root.etcdIndex());
    V2Event created = Req.put("/foo", "bar").on(s);
    assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":4,"
        + "\"createdIndex\":4}}", created.toJson());
    assertTrue(created.isCreated());
    json("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":5,\"createdIndex\":5},"
        + "\"prevNode\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":4,\"createdIndex\":4}}",
        Req.put("/foo", "baz"));
    json("{\"action\":\"get\",\"node\":{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":5,\"createdIndex\":5}}",
        Req.qget("/foo"));
    json("{\"action\":\"set\",\"node\":{\"key\":\"/dir/a\",\"value\":\"\\u003cx\",\"modifiedIndex\":6,"
        + "\"createdIndex\":6}}", Req.put("/dir/a", "<x"));
    json("{\"action\":\"set\",\"node\":{\"key\":\"/dir/_h\",\"value\":\"hidden\",\"modifiedIndex\":7,"
        + "\"createdIndex\":7}}", Req.put("/dir/_h", "hidden"));
    json("{\"action\":\"get\",\"node\":{\"dir\":true,\"nodes\":[{\"key\":\"/dir\",\"dir\":true,\"nodes\":[{\"key\":"
        + "\"/dir/a\",\"value\":\"\\u003cx\",\"modifiedIndex\":6,\"createdIndex\":6}],\"modifiedIndex\":6,"
        + "\"createdIndex\":6},{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":5,\"createdIndex\":5}]}}",
        Req.qget("/").recursive().sorted());
    error(404, "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/nokey\",\"index\":7}", Req.qget("/nokey"));
    error(412, "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[nope != baz]\",\"index\":7}",
        Req.put("/foo", "x").prevValue("nope"));
    error(412, "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[99 != 5]\",\"index\":7}",
        Req.put("/foo", "x").prevIndex(99));
    error(412, "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[nope != baz] [99 != 5]\",\"index\":7}",
        Req.put("/foo", "x").prevIndex(99).prevValue("nope"));
    error(412, "{\"errorCode\":105,\"message\":\"Key already exists\",\"cause\":\"/foo\",\"index\":7}",
        Req.put("/foo", "x").prevExist(false));
    error(400, "{\"errorCode\":104,\"message\":\"Not a directory\",\"cause\":\"/foo\",\"index\":7}",
        Req.put("/foo/sub", "x"));
    error(403, "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":7}", Req.put("/dir", "x"));
    error(403, "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":7}", Req.delete("/dir"));
    error(403, "{\"errorCode\":108,\"message\":\"Directory not empty\",\"cause\":\"/dir\",\"index\":7}",
        Req.delete("/dir").dir());
    error(400, "{\"errorCode\":107,\"message\":\"Root is read only\",\"cause\":\"/\",\"index\":7}", Req.delete("/"));
    error(403, "{\"errorCode\":102,\"message\":\"Not a file\",\"index\":7}", Req.delete("/").prevValue("x"));
    error(400, "{\"errorCode\":107,\"message\":\"Root is read only\",\"cause\":\"/\",\"index\":7}", Req.put("/", "x"));
    V2Event post = Req.post("/queue", "j1").on(s);
    assertEquals("{\"action\":\"create\",\"node\":{\"key\":\"/queue/00000000000000000008\",\"value\":\"j1\","
        + "\"modifiedIndex\":8,\"createdIndex\":8}}", post.toJson());
    assertTrue(post.isCreated());
    long ttlExpiry = at("2026-12-03T13:56:26.161001732Z");
    now.set(ttlExpiry - 99_900_000_000L);
    json("{\"action\":\"set\",\"node\":{\"key\":\"/ttl\",\"value\":\"t\",\"expiration\":"
        + "\"2026-12-03T13:56:26.161001732Z\",\"ttl\":100,\"modifiedIndex\":9,\"createdIndex\":9}}",
        Req.put("/ttl", "t").expiration(ttlExpiry));
    now.set(at("2026-12-03T13:54:46.5Z"));
    V2Event refreshed = Req.put("/ttl", "").expiration(at("2026-12-03T13:55:36.177592833Z")).refresh()
        .prevExist(true).on(s);
    assertEquals("{\"action\":\"update\",\"node\":{\"key\":\"/ttl\",\"value\":\"t\",\"expiration\":"
        + "\"2026-12-03T13:55:36.177592833Z\",\"ttl\":50,\"modifiedIndex\":10,\"createdIndex\":9},\"prevNode\":{"
        + "\"key\":\"/ttl\",\"value\":\"t\",\"expiration\":\"2026-12-03T13:56:26.161001732Z\",\"ttl\":100,"
        + "\"modifiedIndex\":9,\"createdIndex\":9}}", refreshed.toJson());
    assertTrue(refreshed.refresh());
    assertEquals(10, refreshed.etcdIndex());
    json("{\"action\":\"set\",\"node\":{\"key\":\"/mkd\",\"dir\":true,\"modifiedIndex\":11,\"createdIndex\":11}}",
        Req.put("/mkd", "").dir());
    json("{\"action\":\"update\",\"node\":{\"key\":\"/foo\",\"value\":\"u\",\"modifiedIndex\":12,\"createdIndex\":5},"
        + "\"prevNode\":{\"key\":\"/foo\",\"value\":\"baz\",\"modifiedIndex\":5,\"createdIndex\":5}}",
        Req.put("/foo", "u").prevExist(true));
    json("{\"action\":\"compareAndDelete\",\"node\":{\"key\":\"/foo\",\"modifiedIndex\":13,\"createdIndex\":5},"
        + "\"prevNode\":{\"key\":\"/foo\",\"value\":\"u\",\"modifiedIndex\":12,\"createdIndex\":5}}",
        Req.delete("/foo").prevValue("u"));

    padTo(16);
    String dirA = "{\"action\":\"set\",\"node\":{\"key\":\"/dir/a\",\"value\":\"\\u003cx\",\"modifiedIndex\":6,"
        + "\"createdIndex\":6}}";
    assertEquals(dirA, watched("/dir", true, 1));
    assertEquals(dirA, watched("/dir/a", false, 1));
    assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":4,"
        + "\"createdIndex\":4}}", watched("/foo", false, 1));
    assertEquals(16, s.watch("/foo", false, false, 1).startIndex());
    String deleted = "{\"action\":\"delete\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":17,"
        + "\"createdIndex\":6},\"prevNode\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":6,\"createdIndex\":6}}";
    assertEquals(deleted, Req.delete("/dir").recursive().on(s).toJson());
    assertEquals(deleted, watched("/dir/a", false, 7));
    assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/dir/_h\",\"value\":\"hidden\",\"modifiedIndex\":7,"
        + "\"createdIndex\":7}}", watched("/dir/_h", false, 7));
    json("{\"action\":\"set\",\"node\":{\"key\":\"/u\",\"value\":\"\u00e9\\\"\\\\\\\\\\t\\u0001\u2603\","
        + "\"modifiedIndex\":18,\"createdIndex\":18}}", Req.put("/u", "\u00e9\"\\\\\t\u0001\u2603"));
    json("{\"action\":\"set\",\"node\":{\"key\":\"/e\",\"value\":\"\",\"modifiedIndex\":19,\"createdIndex\":19}}",
        Req.put("/e", ""));
    error(412, "{\"errorCode\":105,\"message\":\"Key already exists\",\"cause\":\"/e\",\"index\":19}",
        Req.put("/e", "").dir().prevExist(false));
    json("{\"action\":\"create\",\"node\":{\"key\":\"/newdir\",\"dir\":true,\"modifiedIndex\":20,\"createdIndex\":20}}",
        Req.put("/newdir", "").dir().prevExist(false));
    long dirExpiry = at("2026-12-03T14:05:25.368230051Z");
    now.set(dirExpiry - 29_900_000_000L);
    json("{\"action\":\"update\",\"node\":{\"key\":\"/newdir\",\"dir\":true,\"expiration\":"
        + "\"2026-12-03T14:05:25.368230051Z\",\"ttl\":30,\"modifiedIndex\":21,\"createdIndex\":20},\"prevNode\":{"
        + "\"key\":\"/newdir\",\"dir\":true,\"modifiedIndex\":20,\"createdIndex\":20}}",
        Req.put("/newdir", "").dir().expiration(dirExpiry).prevExist(true));
    error(403, "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/newdir\",\"index\":21}",
        Req.put("/newdir", "x").dir().prevExist(true));
    error(403, "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/newdir\",\"index\":21}",
        Req.put("/newdir", "x").prevIndex(3));
    json("{\"action\":\"create\",\"node\":{\"key\":\"/newdir/00000000000000000022\",\"dir\":true,"
        + "\"modifiedIndex\":22,\"createdIndex\":22}}", Req.post("/newdir", "").dir());
  }

  @Test
  void theHistoryWindowAndExpiryAsEtcdShowsThem() {
    for (int i = 1; i <= 1027; i++) {
      Req.put("/loop", Integer.toString(i)).on(s);
    }
    V2Error cleared = assertThrows(V2Error.class, () -> s.watch("/loop", false, false, 5));
    assertEquals("{\"errorCode\":401,\"message\":\"The event in requested index is outdated and cleared\","
        + "\"cause\":\"the requested history has been cleared [28/5]\",\"index\":1027}", cleared.toJson());
    long tdir = at("2026-12-03T14:05:22.098293102Z");
    long tk = at("2026-12-03T14:05:22.117484628Z");
    now.set(tdir - 500_000_000L);
    json("{\"action\":\"set\",\"node\":{\"key\":\"/tdir\",\"dir\":true,\"expiration\":"
        + "\"2026-12-03T14:05:22.098293102Z\",\"ttl\":1,\"modifiedIndex\":1028,\"createdIndex\":1028}}",
        Req.put("/tdir", "").dir().expiration(tdir));
    json("{\"action\":\"set\",\"node\":{\"key\":\"/tk\",\"value\":\"v\",\"expiration\":"
        + "\"2026-12-03T14:05:22.117484628Z\",\"ttl\":1,\"modifiedIndex\":1029,\"createdIndex\":1029}}",
        Req.put("/tk", "v").expiration(tk));
    now.set(at("2026-12-03T14:05:22.5Z"));
    assertEquals(null, Req.sync(now.get()).on(s));
    assertEquals("{\"action\":\"expire\",\"node\":{\"key\":\"/tk\",\"modifiedIndex\":1031,\"createdIndex\":1029},"
        + "\"prevNode\":{\"key\":\"/tk\",\"value\":\"v\",\"expiration\":\"2026-12-03T14:05:22.117484628Z\","
        + "\"modifiedIndex\":1029,\"createdIndex\":1029}}", watched("/tk", false, 1030));
    assertEquals("{\"action\":\"set\",\"node\":{\"key\":\"/tdir\",\"dir\":true,\"expiration\":"
        + "\"2026-12-03T14:05:22.098293102Z\",\"ttl\":1,\"modifiedIndex\":1028,\"createdIndex\":1028}}",
        watched("/tdir", false, 1027));
    assertEquals("{\"action\":\"expire\",\"node\":{\"key\":\"/tdir\",\"dir\":true,\"modifiedIndex\":1030,"
        + "\"createdIndex\":1028},\"prevNode\":{\"key\":\"/tdir\",\"dir\":true,\"expiration\":"
        + "\"2026-12-03T14:05:22.098293102Z\",\"modifiedIndex\":1028,\"createdIndex\":1028}}",
        watched("/tdir", false, 1030));
  }

  @Test
  void statsHaveEtcdsFieldsInItsOrder() {
    String etcd = "{\"getsSuccess\":5,\"getsFail\":1061,\"setsSuccess\":1019,\"setsFail\":3,\"deleteSuccess\":2,"
        + "\"deleteFail\":2,\"updateSuccess\":4,\"updateFail\":0,\"createSuccess\":4,\"createFail\":2,"
        + "\"compareAndSwapSuccess\":0,\"compareAndSwapFail\":4,\"compareAndDeleteSuccess\":2,"
        + "\"compareAndDeleteFail\":0,\"expireCount\":3,\"watchers\":0}";
    assertEquals(etcd.replaceAll("\\d+", "N"), s.statsJson().replaceAll("\\d+", "N"));
  }

  @Test
  void stringsAndTimesAsGoWritesThem() {
    assertEquals("\"\\u003c\\u003e\\u0026 \\u2028\\u2029 \\u0008\\u000c\\u001b\\u007f\"".replace("\\u007f", "\u007f"),
        GoJson.string(new StringBuilder(), "<>& \u2028\u2029 \b\f\u001b\u007f").toString());
    assertEquals("\"\ud83d\ude00 \\ufffd\"", GoJson.string(new StringBuilder(), "\ud83d\ude00 \ud83d").toString());
    assertEquals("1970-01-01T00:00:01.5Z", GoJson.time(1_500_000_000L));
    assertEquals("2001-09-09T01:46:40Z", GoJson.time(1_000_000_000_000_000_000L));
    assertEquals("2026-12-03T14:05:22.000000001Z", GoJson.time(at("2026-12-03T14:05:22.000000001Z")));
    assertEquals("1969-12-31T23:59:59.999999999Z", GoJson.time(-1));
  }

  @Test
  void noValueOnSuccessLeavesOnlyTheAction() {
    assertEquals("{\"action\":\"set\"}", Req.put("/k", "v").on(s).toJsonNoValue());
    assertEquals("{\"action\":\"delete\",\"node\":{\"key\":\"/k\",\"modifiedIndex\":2,\"createdIndex\":1},"
        + "\"prevNode\":{\"key\":\"/k\",\"value\":\"v\",\"modifiedIndex\":1,\"createdIndex\":1}}",
        Req.delete("/k").on(s).toJsonNoValue());
  }
}
