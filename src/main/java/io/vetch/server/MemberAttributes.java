package io.vetch.server;

import io.vetch.api.membershippb.Attributes;
import io.vetch.api.membershippb.ClusterMemberAttrSetRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every member's published attributes (name, client URLs), as etcd keeps them: each member proposes its own
 * through Raft when it starts (ClusterMemberAttrSetRequest) and every member applies them. Kept in
 * member/attributes (length-delimited ClusterMemberAttrSetRequest records, replaced atomically and fsynced on
 * change) so they outlive WAL purges. Written by the storage worker; read from any thread.
 */
public final class MemberAttributes {
  private final Path file;
  private final Map<Long, Attributes> byMember = new ConcurrentHashMap<>();

  private MemberAttributes(Path file) {
    this.file = file;
  }

  static MemberAttributes load(Path file) throws IOException {
    MemberAttributes a = new MemberAttributes(file);
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        ClusterMemberAttrSetRequest r;
        while ((r = ClusterMemberAttrSetRequest.parseDelimitedFrom(in)) != null) {
          a.byMember.put(r.getMemberID(), r.getMemberAttributes());
        }
      }
    }
    return a;
  }

  public Attributes get(long memberId) {
    return byMember.get(memberId);
  }

  /** Applies a published change; persists it when it changes anything. Storage worker only. */
  void apply(ClusterMemberAttrSetRequest r) {
    if (r.getMemberAttributes().equals(byMember.get(r.getMemberID()))) {
      return;
    }
    byMember.put(r.getMemberID(), r.getMemberAttributes());
    try {
      persist();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("persisting member attributes to " + file, e);
    }
  }

  private void persist() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      for (var e : byMember.entrySet()) {
        ClusterMemberAttrSetRequest.newBuilder().setMemberID(e.getKey()).setMemberAttributes(e.getValue()).build()
            .writeDelimitedTo(out);
      }
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
