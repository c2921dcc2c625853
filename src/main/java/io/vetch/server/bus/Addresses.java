package io.vetch.server.bus;

import io.vetch.transport.TransportAddresses;

/**
 * The event-bus addresses of one member. Prefixed with the member's id so that several members can share a Vert.x
 * instance (in-process clusters in tests, embedding).
 *
 * <pre>
 * client verticles --propose/readIndex--> raft verticle --batch--> storage worker
 *                                          raft verticle <--applied/persisted-- storage worker
 *                       peer transport <--messages/forwarded proposals--> raft verticle
 * </pre>
 */
public record Addresses(String propose, String readIndex, String moveLeader, String storageBatch, String applied,
    String persisted, String storageImage, String defragment, String watchEvents, String keepAlive, TransportAddresses transport) {
  public static Addresses of(long memberId) {
    String p = "vetch." + Long.toHexString(memberId) + ".";
    return new Addresses(p + "raft.propose", p + "raft.read-index", p + "raft.move-leader", p + "storage.batch",
        p + "raft.applied",
        p + "raft.persisted", p + "storage.image", p + "storage.defragment", p + "watch.events", p + "raft.keep-alive",
        TransportAddresses.of(p));
  }
}
