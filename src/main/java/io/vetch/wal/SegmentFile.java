package io.vetch.wal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One WAL segment file, named {@code <seq as 16 hex>-<first index as 16 hex>.wal}. {@code seq} counts segments from
 * 0 without gaps; {@code firstIndex} is the WAL's last index + 1 when the segment was created, so every entry of an
 * older segment that is still part of the log has an index below it (what {@link Wal#purge} relies on).
 */
record SegmentFile(long seq, long firstIndex, Path path) {
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");
  static final String SUFFIX = ".wal";

  static String name(long seq, long firstIndex) {
    return String.format("%016x-%016x%s", seq, firstIndex, SUFFIX);
  }

  /**
   * The segments in dir in seq order. Throws WalCorruptException for a {@code .wal} file whose name does not parse
   * or whose seq does not follow its predecessor's.
   */
  static List<SegmentFile> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      ds.forEach(files::add);
    }
    files.sort(null);
    List<SegmentFile> segments = new ArrayList<>(files.size());
    for (Path p : files) {
      Matcher m = NAME.matcher(p.getFileName().toString());
      if (!m.matches()) {
        throw new WalCorruptException(p, 0, "not a segment name <seq>-<index>.wal");
      }
      SegmentFile s = new SegmentFile(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), p);
      if (!segments.isEmpty() && s.seq != segments.get(segments.size() - 1).seq + 1) {
        throw new WalCorruptException(p, 0,
            "segment out of sequence: expected seq " + (segments.get(segments.size() - 1).seq + 1));
      }
      segments.add(s);
    }
    return segments;
  }
}
