package io.vetch.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vertx.core.Handler;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Fuzzes what a peer sends: {@code inbound} the bytes arriving on an inbound peer connection, cut into frames by
 * {@link PeerFrames#reader} (the first byte of the input sets the size of the chunks they arrive in) and decoded as
 * {@link TransportVerticle} does (HELLO or JOIN first, then Raft messages, forwarded proposals, keep-alives,
 * probes, or a snapshot stream); {@code joined} the answer a joining member reads ({@link ClusterJoin#joined}) and
 * the membership in it, decoded as Bootstrap does. Every frame must decode or be refused as malformed.
 */
class PeerFramesFuzzTest {
  /** The state of one inbound connection, as TransportVerticle keeps it. */
  private static final class Connection {
    long from;
    boolean closed;
    boolean snapshot;
    long imageBytes;

    void frame(byte type, Buffer payload) {
      if (closed) {
        return;
      }
      try {
        if (from == 0) {
          if (type == PeerFrames.JOIN) {
            PeerFrames.u64(type, payload);
            closed = true;
          } else if (type == PeerFrames.HELLO) {
            from = PeerFrames.hello(payload).memberId();
            closed = from == 0;
          } else {
            closed = true;
          }
        } else if (snapshot) {
          if (type == PeerFrames.SNAP_CHUNK) {
            imageBytes += payload.length();
          } else {
            closed = true; // SNAP_END, or a frame a snapshot stream may not carry
          }
        } else if (type == PeerFrames.SNAPSHOT) {
          PeerFrames.message(payload).getSnapshot().getMetadata().getIndex();
          snapshot = true;
        } else {
          Object f = PeerFrames.decode(type, payload, 1);
          if (f instanceof Message m) {
            m.getEntriesList().forEach(Entry::getData);
          }
        }
      } catch (PeerFrames.MalformedFrameException e) {
        closed = true;
      }
    }
  }

  @FuzzTest(maxDuration = "10m")
  void inbound(byte[] data) {
    Connection c = new Connection();
    feed(data, PeerFrames.reader(c::frame, why -> c.closed = true));
  }

  @FuzzTest(maxDuration = "10m")
  void joined(byte[] data) {
    boolean[] answered = {false};
    feed(data, PeerFrames.reader((type, payload) -> {
      if (answered[0]) {
        return; // ClusterJoin closes the connection after the first frame
      }
      answered[0] = true;
      try {
        io.vetch.server.membership.Membership.decodeMembers(ClusterJoin.joined(type, payload).membership());
      } catch (PeerFrames.MalformedFrameException | IOException expected) {
        // refused
      }
    }, why -> answered[0] = true));
  }

  /** data after its first byte, in chunks of (first byte + 1) bytes. */
  private static void feed(byte[] data, Handler<Buffer> reader) {
    if (data.length == 0) {
      return;
    }
    int chunk = (data[0] & 0xFF) + 1;
    for (int i = 1; i < data.length; i += chunk) {
      reader.handle(Buffer.buffer(Arrays.copyOfRange(data, i, Math.min(data.length, i + chunk))));
    }
  }

  static Map<String, Map<String, byte[]>> seeds() throws IOException {
    Message app = Message.newBuilder().setType(MessageType.MsgApp).setTo(1).setFrom(2).setTerm(3).setLogTerm(3)
        .setIndex(7).setCommit(7).addEntries(Entry.newBuilder().setTerm(3).setIndex(8)
            .setData(ByteString.copyFromUtf8("a put"))).build();
    Message snap = Message.newBuilder().setType(MessageType.MsgSnap).setTo(1).setFrom(2).setTerm(3)
        .setSnapshot(Snapshot.newBuilder().setData(ByteString.copyFromUtf8("VSD1"))
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(100).setTerm(3)
                .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2)))).build();
    Buffer hello = PeerFrames.hello(0xc1, 2);
    byte[] member = stream(hello, PeerFrames.frame(PeerFrames.RAFT, app),
        heap(PeerFrames.frame(UnpooledByteBufAllocator.DEFAULT, PeerFrames.RAFT, app)),
        heap(PeerFrames.proposal(UnpooledByteBufAllocator.DEFAULT,
            new ForwardedProposal(1, 42, new byte[] {10, 3, 'k', 'e', 'y'}, false))),
        heap(PeerFrames.proposal(UnpooledByteBufAllocator.DEFAULT, new ForwardedProposal(1, 43, new byte[] {8, 1}, true))),
        PeerFrames.frame(PeerFrames.KEEPALIVE, Buffer.buffer().appendLong(0x1234)),
        PeerFrames.frame(PeerFrames.PING, Buffer.buffer().appendLong(99)),
        PeerFrames.frame(PeerFrames.PONG, Buffer.buffer().appendLong(98)));
    byte[] snapshot = stream(hello, PeerFrames.frame(PeerFrames.SNAPSHOT, snap),
        PeerFrames.frame(PeerFrames.SNAP_CHUNK, new byte[] {'V', 'M', 'I', 'M', 0, 0, 0, 1}),
        PeerFrames.frame(PeerFrames.SNAP_CHUNK, new byte[16]), PeerFrames.frame(PeerFrames.SNAP_END, new byte[0]));
    byte[] join = stream(PeerFrames.frame(PeerFrames.JOIN, Buffer.buffer().appendLong(5)));
    // the members of a Membership (index 3, one member, no removed ids), as TransportVerticle's JOINED carries them
    byte[] m = Member.newBuilder().setID(2).setName("m2").addPeerURLs("http://10.0.0.2:2380").build().toByteArray();
    Buffer members = Buffer.buffer().appendLong(3).appendInt(1).appendInt(m.length).appendBytes(m).appendInt(0);
    byte[] joined = stream(PeerFrames.frame(PeerFrames.JOINED, Buffer.buffer().appendLong(0xc1).appendBuffer(members)));
    return Map.of("inbound", Map.of("member", member, "snapshot", snapshot, "join", join),
        "joined", Map.of("joined", joined));
  }

  /** A frame built in Netty's memory (as the transport sends it), as a Buffer; releases it. */
  private static Buffer heap(io.netty.buffer.ByteBuf frame) {
    try {
      return Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(frame));
    } finally {
      frame.release();
    }
  }

  /** frames as one input: a chunk size byte (64-byte chunks), then the frames. */
  private static byte[] stream(Buffer... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(63);
    for (Buffer f : frames) {
      out.writeBytes(f.getBytes());
    }
    return out.toByteArray();
  }
}
