package io.vetch.server.bus;

import io.vetch.api.raftpb.ConfState;
import java.nio.file.Path;

/**
 * The storage worker's answer to an image request: the store image file at Raft index (the store's consistent
 * index when written), with the snapshot data (membership and leases) and the ConfState as of that index.
 */
public record StorageImage(Path file, long index, byte[] data, ConfState confState) {}
