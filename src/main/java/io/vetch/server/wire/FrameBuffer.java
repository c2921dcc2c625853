package io.vetch.server.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.Arrays;

/**
 * gRPC-framed messages ({@link GrpcFraming}) gathered in one growable array and handed on as one {@link Buffer}:
 * many responses to one write. After a {@link #take} nothing is held; the next append allocates room for as many
 * bytes as that take handed on (at most {@value #MAX_HINT}), so a stream that writes batches of one size allocates
 * one array per batch and an idle one holds none. Not thread-safe.
 */
public final class FrameBuffer {
  private static final int MIN_CAPACITY = 256;
  private static final int MAX_HINT = 64 * 1024;
  private static final byte[] EMPTY = new byte[0];
  private byte[] bytes = EMPTY;
  private int capacityHint = MIN_CAPACITY;
  private int length;
  private int messages;

  /** m alone, framed, as one Buffer. */
  public static Buffer framed(MessageLite m) {
    FrameBuffer frames = new FrameBuffer();
    frames.append(m);
    return frames.take();
  }

  /** The bytes gathered since the last take. */
  public int length() {
    return length;
  }

  /** The messages gathered since the last take. */
  public int messages() {
    return messages;
  }

  /** Appends m, framed. */
  public void append(MessageLite m) {
    int size = m.getSerializedSize();
    int at = prefix(size);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, at, size);
    try {
      m.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("writing a message to an array", e);
    }
    length = at + size;
  }

  /**
   * Appends one framed message: the varint field fieldNumber = value (left out when value is 0, proto3's default),
   * then tail's bytes (a protobuf message's fields may come in any order, so tail may hold the message's others).
   */
  public void appendVarintField(int fieldNumber, long value, byte[] tail) {
    int tag = fieldNumber << 3; // wire type 0: varint
    int head = value == 0 ? 0
        : CodedOutputStream.computeUInt32SizeNoTag(tag) + CodedOutputStream.computeUInt64SizeNoTag(value);
    int at = prefix(head + tail.length);
    if (value != 0) {
      at = putVarint(putVarint(at, tag), value);
    }
    System.arraycopy(tail, 0, bytes, at, tail.length);
    length = at + tail.length;
  }

  private int putVarint(int at, long v) {
    while ((v & ~0x7FL) != 0) {
      bytes[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[at++] = (byte) v;
    return at;
  }

  /** Appends the frames other gathered, which starts again empty (its array becomes this one's if this is empty). */
  public void appendAll(FrameBuffer other) {
    if (length == 0) {
      bytes = other.bytes;
      length = other.length;
      messages = other.messages;
    } else {
      int need = length + other.length;
      if (need > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
      }
      System.arraycopy(other.bytes, 0, bytes, length, other.length);
      length = need;
      messages += other.messages;
    }
    other.clear();
  }

  /** Drops what was gathered; this starts again empty, sized for as many bytes next time. */
  public void clear() {
    capacityHint = Math.min(MAX_HINT, Math.max(MIN_CAPACITY, length));
    bytes = EMPTY;
    length = 0;
    messages = 0;
  }

  /** The frames gathered, as one Buffer; this starts again empty. */
  public Buffer take() {
    Buffer frames = BufferInternal.buffer(Unpooled.wrappedBuffer(bytes, 0, length));
    clear();
    return frames;
  }

  /** Writes the prefix of a message of size bytes, with room for them after it; returns where they go. */
  private int prefix(int size) {
    int need = length + GrpcFraming.PREFIX + size;
    if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(need, Math.max(bytes.length * 2, capacityHint)));
    }
    bytes[length] = 0; // not compressed
    bytes[length + 1] = (byte) (size >>> 24);
    bytes[length + 2] = (byte) (size >>> 16);
    bytes[length + 3] = (byte) (size >>> 8);
    bytes[length + 4] = (byte) size;
    messages++;
    return length + GrpcFraming.PREFIX;
  }
}
