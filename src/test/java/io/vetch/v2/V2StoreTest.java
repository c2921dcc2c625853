package io.vetch.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.Test;

/** The store's reads and writes and every error they give, ported from etcd's v2store store_test.go and more. */
class V2StoreTest {
  private static final V2TtlOptions P = V2TtlOptions.PERMANENT;
  private final V2Store s = new V2Store(() -> 2_000_000_000_000_000_000L);

  static V2Error error(int code, String cause, long index, Executable op) {
    V2Error e = assertThrows(V2Error.class, op);
    assertEquals(code, e.code(), e.toJson());
    assertEquals(cause, e.cause(), e.toJson());
    assertEquals(index, e.index(), e.toJson());
    return e;
  }

  @Test
  void getValueAndSortedRecursiveDirectory() {
    s.create("/foo", true, "", false, P);
    s.create("/foo/x", false, "0", false, P);
    s.create("/foo/z", false, "0", false, P);
    s.create("/foo/y", true, "", false, P);
    s.create("/foo/y/b", false, "0", false, P);
    s.create("/foo/y/a", false, "0", false, P);
    s.create("/foo/_hidden", false, "h", false, P);
    V2Event e = s.get("/foo", true, true);
    assertEquals(7, e.etcdIndex());
    assertEquals("get", e.action());
    assertEquals(List.of("/foo/x", "/foo/y", "/foo/z"), e.node().nodes().stream().map(V2NodeExtern::key).toList());
    assertEquals(List.of("/foo/y/a", "/foo/y/b"), e.node().nodes().get(1).nodes().stream().map(V2NodeExtern::key)
        .toList());
    assertNull(s.get("/foo", false, false).node().nodes().get(1).nodes(), "not recursive: a child dir is not listed");
    assertEquals("h", s.get("/foo/_hidden", false, false).node().value(), "a hidden key is read by its name");
    assertEquals("0", s.get("/foo/y/a", false, false).node().value());
  }

  @Test
  void setReplacesAFileAndReportsThePreviousNode() {
    V2Event e = s.set("/foo", false, "", P);
    assertEquals(1, e.etcdIndex());
    assertEquals(new V2NodeExtern("/foo", "", false, 0, 0, null, 1, 1), e.node());
    assertNull(e.prevNode());
    assertTrue(e.isCreated());
    e = s.set("/foo", false, "bar", P);
    assertEquals(new V2NodeExtern("/foo", "bar", false, 0, 0, null, 2, 2), e.node());
    assertEquals(new V2NodeExtern("/foo", "", false, 0, 0, null, 1, 1), e.prevNode());
    assertFalse(e.isCreated());
    e = s.set("/a/b/c/d", false, "efg", P);
    assertEquals(3, e.index());
    assertEquals(3, s.get("/a/b", false, false).node().createdIndex(), "made directories get the new index");
    e = s.set("/dir", true, "", P);
    assertEquals(new V2NodeExtern("/dir", null, true, 0, 0, null, 4, 4), e.node());
    error(V2Error.NOT_FILE, "/dir", 4, () -> s.set("/dir", false, "x", P));
    error(V2Error.NOT_FILE, "/dir", 4, () -> s.set("/dir", true, "", P));
    error(V2Error.NOT_DIR, "/foo", 4, () -> s.set("/foo/bar", false, "x", P));
    error(V2Error.NOT_DIR, "/foo", 4, () -> s.set("/foo/bar/baz", false, "x", P));
    error(V2Error.KEY_NOT_FOUND, "/nope", 4, () -> s.set("/nope", false, "", new V2TtlOptions(0, true)));
    assertEquals(4, s.index());
  }

  @Test
  void createRefusesAnExistingNode() {
    assertEquals("create", s.create("/foo", false, "bar", false, P).action());
    assertEquals(new V2NodeExtern("/empty", "", false, 0, 0, null, 2, 2), s.create("/empty", false, "", false, P)
        .node());
    assertTrue(s.create("/d", true, "", false, P).node().dir());
    V2Error e = error(V2Error.NODE_EXIST, "/foo", 3, () -> s.create("/foo", true, "", false, P));
    assertEquals("Key already exists", e.etcdMessage());
    assertEquals(412, e.status());
    error(V2Error.NODE_EXIST, "/d", 3, () -> s.create("/d", false, "", false, P));
    error(V2Error.NOT_DIR, "/foo", 3, () -> s.create("/foo/x", false, "", false, P));
  }

  @Test
  void inOrderKeysAreTheIndexZeroPaddedTo20Digits() {
    s.set("/other", false, "x", P);
    V2Event e = s.create("/queue", false, "j1", true, P);
    assertEquals("/queue/00000000000000000002", e.node().key());
    assertEquals("/queue/00000000000000000003", s.create("/queue/", true, "", true, P).node().key());
    assertEquals("/00000000000000000004", s.create("/", false, "top", true, P).node().key());
    s.set("/f", false, "x", P);
    error(V2Error.NOT_DIR, "/f", 5, () -> s.create("/f", false, "x", true, P));
  }

  @Test
  void updateChangesValueOrTtlOfAnExistingNode() {
    s.create("/foo", false, "bar", false, P);
    V2Event e = s.update("/foo", "baz", P);
    assertEquals(new V2NodeExtern("/foo", "baz", false, 0, 0, null, 2, 1), e.node());
    assertEquals(new V2NodeExtern("/foo", "bar", false, 0, 0, null, 1, 1), e.prevNode());
    assertEquals("baz", s.get("/foo", false, false).node().value());
    assertEquals("", s.update("/foo", "", P).node().value());
    s.create("/d", true, "", false, P);
    error(V2Error.NOT_FILE, "/d", 4, () -> s.update("/d", "baz", P));
    e = s.update("/d", "", P);
    assertEquals(new V2NodeExtern("/d", null, true, 0, 0, null, 5, 4), e.node(), "etcd's event index for a dir");
    assertEquals(4, s.get("/d", false, false).node().modifiedIndex(), "a directory keeps its modifiedIndex");
    error(V2Error.KEY_NOT_FOUND, "/nope", 5, () -> s.update("/nope", "x", P));
    error(V2Error.NOT_DIR, "/foo", 5, () -> s.update("/foo/x", "x", P));
  }

  @Test
  void deleteFilesAndDirectories() {
    s.create("/foo", false, "bar", false, P);
    V2Event e = s.delete("/foo", false, false);
    assertEquals(2, e.etcdIndex());
    assertEquals(new V2NodeExtern("/foo", null, false, 0, 0, null, 2, 1), e.node());
    assertEquals(new V2NodeExtern("/foo", "bar", false, 0, 0, null, 1, 1), e.prevNode());
    s.create("/d", true, "", false, P);
    error(V2Error.NOT_FILE, "/d", 3, () -> s.delete("/d", false, false));
    e = s.delete("/d", true, false);
    assertEquals(new V2NodeExtern("/d", null, true, 0, 0, null, 4, 3), e.node());
    s.create("/d/e", true, "", false, P);
    V2Error err = error(V2Error.DIR_NOT_EMPTY, "/d", 5, () -> s.delete("/d", true, false));
    assertEquals(403, err.status());
    e = s.delete("/d", false, true);
    assertEquals("delete", e.action());
    assertTrue(e.node().dir());
    error(V2Error.KEY_NOT_FOUND, "/d", 6, () -> s.get("/d/e", false, false));
    error(V2Error.KEY_NOT_FOUND, "/d", 6, () -> s.delete("/d", true, true));
  }

  @Test
  void theRootIsReadOnly() {
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.set("/", true, "", P));
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.set("/a/..", false, "x", P));
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.delete("/", true, true));
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.create("/", true, "", false, P));
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.update("/", "", P));
    error(V2Error.ROOT_READ_ONLY, "/", 0, () -> s.compareAndSwap("/", "", 0, "", P));
    V2Error e = error(V2Error.NOT_FILE, "", 0, () -> s.compareAndDelete("/", "x", 0));
    assertEquals("{\"errorCode\":102,\"message\":\"Not a file\",\"index\":0}", e.toJson());
    assertEquals(new V2NodeExtern("", null, true, 0, 0, List.of(), 0, 0), s.get("/", false, false).node());
  }

  @Test
  void compareAndDelete() {
    s.create("/foo", false, "bar", false, P);
    error(V2Error.TEST_FAILED, "[baz != bar]", 1, () -> s.compareAndDelete("/foo", "baz", 0));
    error(V2Error.TEST_FAILED, "[100 != 1]", 1, () -> s.compareAndDelete("/foo", "", 100));
    error(V2Error.TEST_FAILED, "[baz != bar] [100 != 1]", 1, () -> s.compareAndDelete("/foo", "baz", 100));
    assertEquals("bar", s.get("/foo", false, false).node().value());
    V2Event e = s.compareAndDelete("/foo", "bar", 1);
    assertEquals("compareAndDelete", e.action());
    assertEquals(new V2NodeExtern("/foo", null, false, 0, 0, null, 2, 1), e.node());
    assertEquals(new V2NodeExtern("/foo", "bar", false, 0, 0, null, 1, 1), e.prevNode());
    s.create("/foo", false, "bar", false, P);
    assertEquals(4, s.compareAndDelete("/foo", "", 3).index());
    s.create("/d", true, "", false, P);
    error(V2Error.NOT_FILE, "/d", 5, () -> s.compareAndDelete("/d", "", 0));
    error(V2Error.KEY_NOT_FOUND, "/foo", 5, () -> s.compareAndDelete("/foo", "bar", 0));
  }

  @Test
  void compareAndSwap() {
    s.create("/foo", false, "bar", false, P);
    error(V2Error.TEST_FAILED, "[wrong_value != bar]", 1, () -> s.compareAndSwap("/foo", "wrong_value", 0, "x", P));
    error(V2Error.TEST_FAILED, "[100 != 1]", 1, () -> s.compareAndSwap("/foo", "", 100, "x", P));
    error(V2Error.TEST_FAILED, "[w != bar] [100 != 1]", 1, () -> s.compareAndSwap("/foo", "w", 100, "x", P));
    assertEquals(1, s.index());
    V2Event e = s.compareAndSwap("/foo", "bar", 0, "baz", P);
    assertEquals("compareAndSwap", e.action());
    assertEquals(new V2NodeExtern("/foo", "baz", false, 0, 0, null, 2, 1), e.node());
    assertEquals(new V2NodeExtern("/foo", "bar", false, 0, 0, null, 1, 1), e.prevNode());
    assertEquals("qux", s.compareAndSwap("/foo", "", 2, "qux", P).node().value());
    assertEquals("qux", s.get("/foo", false, false).node().value());
    s.create("/d", true, "", false, P);
    error(V2Error.NOT_FILE, "/d", 4, () -> s.compareAndSwap("/d", "", 3, "x", P));
    error(V2Error.KEY_NOT_FOUND, "/nope", 4, () -> s.compareAndSwap("/nope", "a", 0, "x", P));
  }

  @Test
  void pathsAreCleanedAndCannotLeaveTheRoot() {
    s.set("/a/b", false, "1", P);
    assertEquals("/a/b", s.get("a//b/", false, false).node().key());
    assertEquals("/a/b", s.get("/../../a/./b", false, false).node().key());
    assertEquals("/c", s.set("/a/../../c/", false, "2", P).node().key());
    assertEquals("", s.get("/..", false, false).node().key());
    error(V2Error.KEY_NOT_FOUND, "/a/x", 2, () -> s.get("/a/x", false, false));
    error(V2Error.NOT_DIR, "/a/b", 2, () -> s.get("/a/b/c/d", false, false));
  }

  @Test
  void keysSortAsGoBytesDo() {
    s.set("/k/\uffff", false, "bmp", P);
    s.set("/k/\ud83d\ude00", false, "astral", P);
    s.set("/k/z", false, "z", P);
    assertEquals(List.of("/k/z", "/k/\uffff", "/k/\ud83d\ude00"),
        s.get("/k", true, true).node().nodes().stream().map(V2NodeExtern::key).toList());
  }

  @Test
  void statsCountAsEtcdDoes() {
    s.create("/foo", false, "bar", false, P);
    s.get("/foo", false, false);
    assertThrows(V2Error.class, () -> s.get("/nope", false, false));
    assertThrows(V2Error.class, () -> s.create("/foo", false, "bar", false, P));
    assertThrows(V2Error.class, () -> s.set("/foo/x", false, "bar", P));
    assertThrows(V2Error.class, () -> s.create("/foo/y", false, "bar", false, P)); // a file on the way: + setsFail
    s.update("/foo", "baz", P);
    assertThrows(V2Error.class, () -> s.update("/", "baz", P)); // etcd counts this as a success
    s.compareAndSwap("/foo", "baz", 0, "qux", P);
    assertThrows(V2Error.class, () -> s.compareAndSwap("/foo", "nope", 0, "qux", P));
    assertThrows(V2Error.class, () -> s.compareAndDelete("/foo", "nope", 0)); // etcd counts this as a success
    s.delete("/foo", false, false);
    assertThrows(V2Error.class, () -> s.delete("/foo", false, false));
    s.watch("/w", false, false, 0);
    assertEquals("{\"getsSuccess\":1,\"getsFail\":1,\"setsSuccess\":0,\"setsFail\":2,\"deleteSuccess\":1,"
        + "\"deleteFail\":1,\"updateSuccess\":2,\"updateFail\":0,\"createSuccess\":1,\"createFail\":2,"
        + "\"compareAndSwapSuccess\":1,\"compareAndSwapFail\":1,\"compareAndDeleteSuccess\":1,"
        + "\"compareAndDeleteFail\":0,\"expireCount\":0,\"watchers\":1}", s.statsJson());
  }

  @Test
  void deepPathsNeedNoDeepStack() throws Throwable {
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      try {
        String deep = "/a".repeat(5000);
        List<V2Event> seen = new java.util.ArrayList<>();
        s.watch(deep, false, false, 0);
        s.set(deep + "/leaf", false, "v", V2TtlOptions.expireAt(3_000_000_000_000_000_000L));
        s.watch(deep + "/leaf", false, false, 0).onEvent(seen::add);
        String json = s.get("/", true, true).toJson();
        assertTrue(json.endsWith("\"value\":\"v\",\"expiration\":\"2065-01-24T05:20:00Z\",\"ttl\":1000000000,"
            + "\"modifiedIndex\":1,\"createdIndex\":1}" + "],\"modifiedIndex\":1,\"createdIndex\":1}".repeat(5000)
            + "]}}"), json.substring(json.length() - 300));
        V2Store copy = new V2Store(() -> 2_000_000_000_000_000_000L);
        copy.restore(s.save());
        assertTrue(json.equals(copy.get("/", true, true).toJson()), "the recovered tree is the same");
        s.delete("/a", true, true);
        assertEquals("delete", seen.get(0).action());
        assertFalse(s.hasTtlKeys());
        assertEquals("{\"action\":\"get\",\"node\":{\"dir\":true}}", s.get("/", true, false).toJson());
        copy.deleteExpiredKeys(3_000_000_000_000_000_000L);
        assertEquals(5000, copy.get("/", true, false).toJson().split("\"dir\":true", -1).length - 2);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "deep", 256 * 1024);
    t.start();
    t.join();
    if (failure[0] != null) {
      throw failure[0];
    }
  }
}
