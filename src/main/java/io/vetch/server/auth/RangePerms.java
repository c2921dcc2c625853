package io.vetch.server.auth;

import io.vetch.api.authpb.Permission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One user's permissions of one kind (read or write) as a union of key intervals, as etcd's
 * unifiedRangePermissions: a permission on a single key is [key, key\0); a range end of "\0" means "to the end of the
 * key space". A request is permitted when its key, or its whole range, lies inside one merged interval. Immutable.
 */
final class RangePerms {
  private static final byte[] END = new byte[0]; // stands for "no upper bound" once merged

  private final List<byte[][]> intervals; // sorted, disjoint, merged: {start, end} with END unbounded

  private RangePerms(List<byte[][]> intervals) {
    this.intervals = intervals;
  }

  /** The union of perms whose type grants write (write true) or read (write false). */
  static RangePerms of(List<Permission> perms, boolean write) {
    List<byte[][]> raw = new ArrayList<>();
    for (Permission p : perms) {
      boolean grants = p.getPermType() == Permission.Type.READWRITE
          || (write ? p.getPermType() == Permission.Type.WRITE : p.getPermType() == Permission.Type.READ);
      if (grants) {
        raw.add(new byte[][] {p.getKey().toByteArray(), upper(p.getKey().toByteArray(), p.getRangeEnd().toByteArray())});
      }
    }
    raw.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    List<byte[][]> merged = new ArrayList<>();
    for (byte[][] iv : raw) {
      byte[][] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && (last[1] == END || Arrays.compareUnsigned(iv[0], last[1]) <= 0)) {
        if (last[1] != END && (iv[1] == END || Arrays.compareUnsigned(iv[1], last[1]) > 0)) {
          last[1] = iv[1];
        }
      } else {
        merged.add(new byte[][] {iv[0], iv[1]});
      }
    }
    return new RangePerms(merged);
  }

  /** The exclusive upper bound of [key, rangeEnd): key\0 for a single key, END for "\0". */
  private static byte[] upper(byte[] key, byte[] rangeEnd) {
    if (rangeEnd.length == 0) {
      byte[] next = Arrays.copyOf(key, key.length + 1);
      return next;
    }
    return rangeEnd.length == 1 && rangeEnd[0] == 0 ? END : rangeEnd;
  }

  /** Whether [key, rangeEnd) (a single key when rangeEnd is empty; to the end when "\0") is covered. */
  boolean permits(byte[] key, byte[] rangeEnd) {
    byte[] hi = upper(key, rangeEnd);
    for (byte[][] iv : intervals) {
      boolean startOk = Arrays.compareUnsigned(iv[0], key) <= 0;
      boolean endOk = iv[1] == END || (hi != END && Arrays.compareUnsigned(hi, iv[1]) <= 0);
      if (startOk && endOk) {
        return true;
      }
    }
    return false;
  }
}
