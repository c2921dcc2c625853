package io.vetch.transport;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.vetch.api.raftpb.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * The peer wire format: every frame is {@code u32 length | u8 type | payload}, big-endian, length counting type +
 * payload. A connection starts with HELLO (Raft traffic, snapshots) or JOIN (a new member asking who we are).
 * <pre>
 * HELLO         u64 cluster id | u64 member id       (first frame from the dialing side)
 * RAFT          raftpb.Message bytes
 * PROPOSAL      u64 request id | InternalRaftRequest bytes (a follower forwarding a client write to the leader)
 * PROPOSAL_CONF u64 request id | raftpb.ConfChange bytes   (a follower forwarding a membership change)
 * JOIN          u64 member id                        (answered by JOINED, then the connection closes)
 * JOINED        u64 cluster id | membership bytes
 * SNAPSHOT      raftpb.Message (MsgSnap) bytes       (on a dedicated connection, after HELLO)
 * SNAP_CHUNK    store image bytes                    (in order, after SNAPSHOT)
 * SNAP_END      empty                                (the image is complete)
 * SNAP_ACK      u8 1 = stored, 0 = refused           (receiver to sender)
 * KEEPALIVE     u64 lease id                         (a follower forwarding a lease keep-alive to the leader)
 * PING, PONG    u64 the prober's nanoTime            (round-trip probe every 5 s; PONG goes back on the
 *                                                     answering member's own connection to the prober)
 * </pre>
 */
final class PeerFrames {
  static final byte HELLO = 1;
  static final byte RAFT = 2;
  static final byte PROPOSAL = 3;
  static final byte PROPOSAL_CONF = 4;
  static final byte JOIN = 5;
  static final byte JOINED = 6;
  static final byte SNAPSHOT = 7;
  static final byte SNAP_CHUNK = 8;
  static final byte SNAP_END = 9;
  static final byte SNAP_ACK = 10;
  static final byte KEEPALIVE = 11;
  /** A round-trip probe: u64 the sender's nanoTime; answered by PONG with the same payload. */
  static final byte PING = 12;
  static final byte PONG = 13;
  /** Largest frame accepted: a Raft message is bounded by max-size-per-msg plus one large entry. */
  static final int MAX_FRAME_BYTES = 64 << 20;

  private PeerFrames() {}

  static Buffer frame(byte type, byte[] payload) {
    byte[] bytes = new byte[5 + payload.length];
    header(bytes, type, payload.length);
    System.arraycopy(payload, 0, bytes, 5, payload.length);
    return wrap(bytes);
  }

  /** A frame holding msg, encoded once straight into the frame's own bytes. */
  static Buffer frame(byte type, MessageLite msg) {
    int size = msg.getSerializedSize();
    byte[] bytes = new byte[5 + size];
    header(bytes, type, size);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, 5, size);
    try {
      msg.writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("encoding a peer message into its own size", e); // cannot happen: sized above
    }
    out.checkNoSpaceLeft();
    return wrap(bytes);
  }

  /**
   * The same frame encoded straight into a buffer from alloc (direct memory, where a socket write needs it, so the
   * write makes no copy). The caller owns it: the socket write releases it.
   */
  static ByteBuf frame(ByteBufAllocator alloc, byte type, MessageLite msg) {
    int size = msg.getSerializedSize();
    ByteBuf buf = alloc.directBuffer(5 + size);
    try {
      buf.writeInt(1 + size).writeByte(type);
      CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(5, size));
      msg.writeTo(out);
      out.flush();
      out.checkNoSpaceLeft();
      buf.writerIndex(5 + size);
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw new IllegalStateException("encoding a peer message into its own size", e); // cannot happen: sized above
    }
  }

  /** The payload's bytes as a read-only view, without a copy (for parsing a message from it). */
  static java.nio.ByteBuffer view(Buffer payload) {
    return ((BufferInternal) payload).getByteBuf().nioBuffer();
  }

  private static void header(byte[] bytes, byte type, int payloadLength) {
    int length = 1 + payloadLength;
    bytes[0] = (byte) (length >>> 24);
    bytes[1] = (byte) (length >>> 16);
    bytes[2] = (byte) (length >>> 8);
    bytes[3] = (byte) length;
    bytes[4] = type;
  }

  /** A Buffer over bytes, without the copy Buffer.buffer(byte[]) makes. */
  private static Buffer wrap(byte[] bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  static Buffer frame(byte type, Buffer payload) {
    return Buffer.buffer(5 + payload.length()).appendInt(1 + payload.length()).appendByte(type).appendBuffer(payload);
  }

  static Buffer hello(long clusterId, long memberId) {
    return frame(HELLO, Buffer.buffer(16).appendLong(clusterId).appendLong(memberId));
  }

  /** A forwarded proposal's frame, in a buffer from alloc (see {@link #frame(ByteBufAllocator, byte, MessageLite)}). */
  static ByteBuf proposal(ByteBufAllocator alloc, ForwardedProposal p) {
    int payload = 8 + p.data().length;
    return alloc.directBuffer(5 + payload).writeInt(1 + payload).writeByte(p.confChange() ? PROPOSAL_CONF : PROPOSAL)
        .writeLong(p.id()).writeBytes(p.data());
  }

  /** A frame whose payload does not hold what its type says; the connection is closed. */
  static final class MalformedFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedFrameException(String message) {
      super(message);
    }
  }

  /** What HELLO says: the dialing member's cluster and id. */
  record Hello(long clusterId, long memberId) {}

  /** A lease keep-alive forwarded by a follower. */
  record KeepAlive(long leaseId) {}

  /** A round-trip probe, to be answered with its payload. */
  record Ping(Buffer payload) {}

  /** The answer to our probe: the nanoTime we sent. */
  record Pong(long sentNanos) {}

  static Hello hello(Buffer payload) throws MalformedFrameException {
    if (payload.length() != 16) {
      throw new MalformedFrameException("hello of " + payload.length() + " bytes, 16 expected");
    }
    return new Hello(payload.getLong(0), payload.getLong(8));
  }

  /** A raftpb.Message (RAFT, SNAPSHOT). */
  static Message message(Buffer payload) throws MalformedFrameException {
    try {
      return Message.parseFrom(view(payload));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException("unreadable Raft message: " + e.getMessage());
    }
  }

  /**
   * The frame a member's connection carries after HELLO, decoded: a Raft {@link Message}, a
   * {@link ForwardedProposal} (to self), a {@link KeepAlive}, a {@link Ping} or a {@link Pong}. SNAPSHOT frames start
   * a snapshot stream and are the caller's; any other type is malformed here.
   */
  static Object decode(byte type, Buffer payload, long self) throws MalformedFrameException {
    return switch (type) {
      case RAFT -> message(payload);
      case PING -> new Ping(payload);
      case PONG -> new Pong(u64(type, payload));
      case PROPOSAL, PROPOSAL_CONF -> {
        if (payload.length() < 8) {
          throw new MalformedFrameException("proposal of " + payload.length() + " bytes");
        }
        yield new ForwardedProposal(self, payload.getLong(0), payload.getBytes(8, payload.length()),
            type == PROPOSAL_CONF);
      }
      case KEEPALIVE -> new KeepAlive(u64(type, payload));
      default -> throw new MalformedFrameException("unknown frame type " + type);
    };
  }

  /** The payload of a frame that carries one u64 (JOIN, KEEPALIVE, PONG). */
  static long u64(byte type, Buffer payload) throws MalformedFrameException {
    if (payload.length() != 8) {
      throw new MalformedFrameException("frame of type " + type + " with " + payload.length() + " bytes, 8 expected");
    }
    return payload.getLong(0);
  }

  /**
   * A parser of frames for a socket's handler: calls onFrame(type, payload) per frame, or onError with a reason
   * for a length out of bounds (after which it stops). A frame that arrived whole is a view of the socket's buffer;
   * only one split across reads is gathered (a copy).
   */
  static Handler<Buffer> reader(BiConsumer<Byte, Buffer> onFrame, Handler<String> onError) {
    return new Handler<>() {
      /** The start of a frame split across reads, or null. */
      private Buffer partial;
      private boolean failed;

      @Override
      public void handle(Buffer data) {
        if (failed) {
          return;
        }
        Buffer in = data;
        if (partial != null) {
          in = partial.appendBuffer(data);
          partial = null;
        }
        int pos = 0;
        int end = in.length();
        while (end - pos >= 4) {
          int len = in.getInt(pos);
          if (len < 1 || len > MAX_FRAME_BYTES) {
            failed = true;
            onError.handle("bad frame length " + len);
            return;
          }
          if (end - pos - 4 < len) {
            break;
          }
          onFrame.accept(in.getByte(pos + 4), in.slice(pos + 5, pos + 4 + len));
          pos += 4 + len;
        }
        if (pos < end) {
          partial = Buffer.buffer(Math.max(end - pos, 256)).appendBuffer(in, pos, end - pos);
        }
      }
    };
  }
}
