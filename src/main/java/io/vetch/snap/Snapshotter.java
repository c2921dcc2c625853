package io.vetch.snap;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Raft snapshot files in one directory, after etcd's {@code snap.Snapshotter}.
 *
 * <p>A file is named {@code <term 16 hex>-<index 16 hex>.snap} after its metadata and holds
 * {@code u32 crc32c (big-endian) | raftpb.Snapshot bytes} (metadata + data), the CRC32C covering the Snapshot
 * bytes. {@link #save} writes {@code <name>.tmp}, fsyncs it, renames it into place and fsyncs the directory, so a
 * file with a {@code .snap} name is complete once save returns. Names sort by term then index, which is also the
 * order snapshots are taken in.
 *
 * <p>{@link #loadNewest} returns the newest file that reads back intact; a file that does not (bad CRC, too short,
 * undecodable, metadata not matching its name) is renamed to {@code <name>.broken}, logged, and skipped.
 *
 * <p>Threading: not thread-safe; one owner (the storage worker) at a time.
 */
public final class Snapshotter {
  private static final System.Logger LOG = System.getLogger(Snapshotter.class.getName());
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");
  private static final String SUFFIX = ".snap";

  private final Path dir;

  /** Uses dir, creating it if needed, and deletes {@code .tmp} files an interrupted save left. */
  public Snapshotter(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX + ".tmp")) {
      for (Path p : ds) {
        Files.delete(p);
      }
    }
  }

  /**
   * Writes the snapshot durably (see class comment), replacing a file of the same term and index. A failure throws a
   * {@link StorageFault} naming the file.
   */
  public void save(Snapshot snapshot) throws IOException {
    byte[] body = snapshot.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    Path target = dir.resolve(name(snapshot.getMetadata().getTerm(), snapshot.getMetadata().getIndex()));
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Failpoints.check(Failpoints.SNAP_WRITE, target);
      ByteBuffer[] bufs = {ByteBuffer.allocate(4).putInt(0, (int) crc.getValue()), ByteBuffer.wrap(body)};
      while (bufs[0].hasRemaining() || bufs[1].hasRemaining()) {
        ch.write(bufs);
      }
      ch.force(true);
    } catch (IOException e) {
      throw new StorageFault("snapshot write", target, e);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDir();
    } catch (IOException e) {
      throw new StorageFault("snapshot rename", target, e);
    }
  }

  /** The newest intact snapshot, or empty if there is none. */
  public Optional<Snapshot> loadNewest() throws IOException {
    for (Path p : snapFiles()) {
      Optional<Snapshot> s = read(p);
      if (s.isPresent()) {
        return s;
      }
    }
    return Optional.empty();
  }

  /** Deletes all but the newest {@code keep} snapshot files; returns how many were deleted. */
  public int purge(int keep) throws IOException {
    if (keep < 0) {
      throw new IllegalArgumentException("keep < 0: " + keep);
    }
    List<Path> files = snapFiles();
    int removed = 0;
    for (Path p : files.subList(Math.min(keep, files.size()), files.size())) {
      Files.delete(p);
      removed++;
    }
    if (removed > 0) {
      syncDir();
    }
    return removed;
  }

  static String name(long term, long index) {
    return String.format("%016x-%016x%s", term, index, SUFFIX);
  }

  /** Reads one file; a broken one is renamed to *.broken and yields empty. */
  private Optional<Snapshot> read(Path p) throws IOException {
    String why;
    byte[] bytes = Files.readAllBytes(p);
    if (bytes.length < 4) {
      why = "file of " + bytes.length + " bytes";
    } else {
      CRC32C crc = new CRC32C();
      crc.update(bytes, 4, bytes.length - 4);
      if ((int) crc.getValue() != ByteBuffer.wrap(bytes).getInt(0)) {
        why = "crc mismatch";
      } else {
        try {
          Snapshot s = Snapshot.parseFrom(ByteBuffer.wrap(bytes, 4, bytes.length - 4));
          if (p.getFileName().toString().equals(name(s.getMetadata().getTerm(), s.getMetadata().getIndex()))) {
            return Optional.of(s);
          }
          why = "metadata (term " + s.getMetadata().getTerm() + ", index " + s.getMetadata().getIndex()
              + ") does not match the file name";
        } catch (InvalidProtocolBufferException e) {
          why = "undecodable: " + e.getMessage();
        }
      }
    }
    Path broken = p.resolveSibling(p.getFileName() + ".broken");
    Files.move(p, broken, StandardCopyOption.REPLACE_EXISTING);
    syncDir();
    LOG.log(System.Logger.Level.WARNING, "skipping broken snapshot {0} ({1}); renamed to {2}", p, why, broken);
    return Optional.empty();
  }

  /** The .snap files, newest first. */
  private List<Path> snapFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : ds) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          files.add(p);
        }
      }
    }
    files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    return files;
  }

  private void syncDir() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
