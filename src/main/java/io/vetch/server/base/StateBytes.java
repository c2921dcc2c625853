package io.vetch.server.base;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A reader of the member's small binary state formats (membership, leases, alarms, auth: their files and their
 * sections of a Raft snapshot), which are big-endian integers and u32-length-prefixed blobs. Every count and length
 * is checked against the bytes left before anything is read or allocated, and bytes after the end are damage too:
 * each problem is an IOException naming what was being read. Not thread-safe.
 */
public final class StateBytes {
  private final DataInputStream in;
  private final String what;

  /** Reads data, which holds what (named in errors, e.g. "membership"). */
  public StateBytes(byte[] data, String what) {
    this.in = new DataInputStream(new ByteArrayInputStream(data));
    this.what = what;
  }

  public boolean readBoolean() throws IOException {
    need(1);
    return in.readBoolean();
  }

  public int readInt() throws IOException {
    need(4);
    return in.readInt();
  }

  public long readLong() throws IOException {
    need(8);
    return in.readLong();
  }

  /** A count of items that take at least itemBytes each: never negative, never more than the bytes left allow. */
  public int readCount(int itemBytes) throws IOException {
    int n = readInt();
    if (n < 0 || (long) n * itemBytes > in.available()) {
      throw new IOException(what + ": count " + n + " does not fit in the " + in.available() + " bytes left");
    }
    return n;
  }

  /** A u32 length and that many bytes. */
  public byte[] readBlob() throws IOException {
    int n = readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException(what + ": length " + n + " does not fit in the " + in.available() + " bytes left");
    }
    return in.readNBytes(n);
  }

  /** A string as DataOutput.writeUTF writes it. */
  public String readUtf() throws IOException {
    try {
      return in.readUTF();
    } catch (EOFException | java.io.UTFDataFormatException e) {
      throw new IOException(what + ": unreadable string: " + e.getMessage(), e);
    }
  }

  public boolean hasMore() throws IOException {
    return in.available() > 0;
  }

  /** Checks that nothing follows what was read. */
  public void end() throws IOException {
    if (in.available() > 0) {
      throw new IOException(what + ": " + in.available() + " bytes after the end");
    }
  }

  private void need(int n) throws IOException {
    if (in.available() < n) {
      throw new IOException(what + ": ends after " + in.available() + " more bytes, " + n + " needed");
    }
  }
}
