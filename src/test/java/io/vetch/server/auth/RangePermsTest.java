package io.vetch.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Permission;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merged permission intervals: keys, ranges, prefixes, from-key grants, and read/write kinds. */
class RangePermsTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Permission p(Permission.Type t, String key, byte[] end) {
    return Permission.newBuilder().setPermType(t).setKey(ByteString.copyFrom(b(key)))
        .setRangeEnd(ByteString.copyFrom(end)).build();
  }

  @Test
  void unionOfGrantsCoversRequests() {
    List<Permission> perms = List.of(
        p(Permission.Type.READ, "a", b("c")),
        p(Permission.Type.READWRITE, "c", b("e")),
        p(Permission.Type.WRITE, "key", new byte[0]),
        p(Permission.Type.READ, "x", new byte[] {0}));
    RangePerms read = RangePerms.of(perms, false);
    RangePerms write = RangePerms.of(perms, true);
    assertTrue(read.permits(b("b"), new byte[0]));
    assertTrue(read.permits(b("a"), b("e")), "[a,c) and [c,e) merge");
    assertFalse(read.permits(b("a"), b("f")));
    assertFalse(read.permits(b("key"), new byte[0]), "write-only key");
    assertTrue(write.permits(b("key"), new byte[0]));
    assertFalse(write.permits(b("key"), b("kez")), "a single key does not grant a range");
    assertFalse(write.permits(b("b"), new byte[0]));
    assertTrue(write.permits(b("d"), new byte[0]));
    assertTrue(read.permits(b("zzz"), new byte[] {0}), "from-key grant covers a from-key read after it");
    assertFalse(read.permits(b("w"), new byte[] {0}));
    assertFalse(RangePerms.of(List.of(), false).permits(b("a"), new byte[0]));
  }
}
