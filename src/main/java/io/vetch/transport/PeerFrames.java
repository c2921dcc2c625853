package io.vetch.transport;

import io.vertx.core.buffer.Buffer;

/**
 * The peer wire format. A connection starts with a hello frame naming the cluster and the dialing member; then
 * every frame is {@code u32 length | u8 type | payload}, big-endian, length counting type + payload.
 * <pre>
 * HELLO    u64 cluster id | u64 member id          (first frame from the dialing side)
 * RAFT     raftpb.Message bytes
 * PROPOSAL u64 request id | InternalRaftRequest bytes (a follower forwarding a client write to the leader)
 * </pre>
 */
final class PeerFrames {
  static final byte HELLO = 1;
  static final byte RAFT = 2;
  static final byte PROPOSAL = 3;
  /** Largest frame accepted: a Raft message is bounded by max-size-per-msg plus one large entry. */
  static final int MAX_FRAME_BYTES = 64 << 20;

  private PeerFrames() {}

  static Buffer frame(byte type, byte[] payload) {
    return Buffer.buffer(5 + payload.length).appendInt(1 + payload.length).appendByte(type).appendBytes(payload);
  }

  static Buffer hello(long clusterId, long memberId) {
    return frame(HELLO, Buffer.buffer(16).appendLong(clusterId).appendLong(memberId).getBytes());
  }

  static Buffer proposal(long id, byte[] data) {
    return frame(PROPOSAL, Buffer.buffer(8 + data.length).appendLong(id).appendBytes(data).getBytes());
  }
}
