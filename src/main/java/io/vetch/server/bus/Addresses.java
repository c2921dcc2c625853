package io.vetch.server.bus;

import io.vetch.transport.TransportAddresses;

/**
 * The event-bus addresses of one member, each its component's name in kebab case after the member's id prefix, so
 * that several members can share a Vert.x instance (in-process clusters in tests, embedding).
 *
 * <pre>
 * client verticles --propose/readIndex--> raft verticle --batch--> storage worker
 * client verticles <--proposal results (batched, to each context's own address)-- storage worker, raft verticle
 *                                          raft verticle <--applied/persisted-- storage worker
 *                       peer transport <--messages/forwarded proposals--> raft verticle
 * </pre>
 */
public record Addresses(String propose, String proposalResults, String readIndex, String moveLeader,
    String storageBatch, String applied, String persisted, String storageImage, String defragment, String watchEvents,
    String keepAlive, TransportAddresses transport) {
  public static Addresses of(long memberId) {
    String p = "vetch." + Long.toHexString(memberId) + ".";
    return new Addresses(p + "propose", p + "proposal-results.", p + "read-index", p + "move-leader",
        p + "storage-batch", p + "applied", p + "persisted", p + "storage-image", p + "defragment",
        p + "watch-events", p + "keep-alive", TransportAddresses.of(p));
  }
}
