package io.vetch.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** etcd's applyV2Request switch: which store operation each request is. */
class V2ApplyTest {
  private final V2Store s = new V2Store(() -> 2_000_000_000_000_000_000L);

  private String action(Req r) {
    return r.on(s).action();
  }

  private int code(Req r) {
    return assertThrows(V2Error.class, () -> r.on(s)).code();
  }

  @Test
  void putChoosesByPrevExistPrevIndexAndPrevValue() {
    assertEquals(V2Error.KEY_NOT_FOUND, code(Req.put("/k", "v").prevExist(true)));
    assertEquals("create", action(Req.put("/k", "v").prevExist(false)));
    assertEquals(V2Error.NODE_EXIST, code(Req.put("/k", "v").prevExist(false)));
    assertEquals("update", action(Req.put("/k", "w").prevExist(true)));
    assertEquals("compareAndSwap", action(Req.put("/k", "x").prevExist(true).prevValue("w")));
    assertEquals("compareAndSwap", action(Req.put("/k", "y").prevIndex(3)));
    assertEquals("compareAndSwap", action(Req.put("/k", "z").prevValue("y")));
    assertEquals(V2Error.TEST_FAILED, code(Req.put("/k", "z").prevValue("nope")));
    assertEquals("set", action(Req.put("/k", "plain")));
    assertEquals("create", action(Req.put("/d", "").dir().prevExist(false)));
    assertEquals("set", action(Req.put("/d2", "").dir()));
    assertEquals("plain", s.get("/k", false, false).node().value());
  }

  @Test
  void refreshNeedsTheKeyAndKeepsTheValue() {
    long exp = 2_000_000_010_000_000_000L;
    assertEquals(V2Error.KEY_NOT_FOUND, code(Req.put("/r", "").expiration(exp).refresh()));
    Req.put("/r", "keep").on(s);
    V2Event e = Req.put("/r", "").expiration(exp).refresh().on(s);
    assertEquals("set", e.action());
    assertEquals("keep", e.node().value());
    assertEquals(10, e.node().ttl());
  }

  @Test
  void postDeleteQgetAndSync() {
    assertEquals("/q/00000000000000000001", Req.post("/q", "a").on(s).node().key());
    assertEquals("/q/00000000000000000002", Req.post("/q", "").dir().on(s).node().key());
    assertEquals(2, Req.qget("/q").recursive().sorted().on(s).node().nodes().size());
    assertEquals(V2Error.NOT_FILE, code(Req.delete("/q")));
    assertEquals(V2Error.DIR_NOT_EMPTY, code(Req.delete("/q").dir()));
    assertEquals(V2Error.TEST_FAILED, code(Req.delete("/q/00000000000000000001").prevValue("b")));
    assertEquals(V2Error.TEST_FAILED, code(Req.delete("/q/00000000000000000001").prevIndex(7)));
    assertEquals("compareAndDelete", action(Req.delete("/q/00000000000000000001").prevIndex(1)));
    assertEquals("delete", action(Req.delete("/q").recursive()));
    Req.put("/t", "v").expiration(2_000_000_001_000_000_000L).on(s);
    assertNull(Req.sync(2_000_000_000_999_999_999L).on(s));
    assertEquals("v", s.get("/t", false, false).node().value());
    assertNull(Req.sync(2_000_000_001_000_000_000L).on(s));
    assertEquals(V2Error.KEY_NOT_FOUND, code(Req.qget("/t")));
  }

  @Test
  void anUnknownMethodIsRefused() {
    V2Request get = new V2Request(1, "GET", "/k", null, false, null, 0, null, 0, false, 0, false, false, false, 0,
        false, null);
    assertThrows(IllegalArgumentException.class, () -> V2Apply.apply(s, get));
    assertEquals(0, s.index());
  }
}
