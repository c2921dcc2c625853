package io.vetch.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every segment in order and rebuilds what the WAL holds: the last metadata, hard state and snapshot marker,
 * the log shape ({@link LogTerms}) and the entries after the snapshot. Read-only: a torn tail in the last segment
 * is only reported in {@link #tail()}; {@link Wal#open} repairs it after the whole WAL has been read.
 */
final class WalReplay implements SegmentReader.Visitor {
  byte[] metadata;
  HardState hardState = HardState.getDefaultInstance();
  SnapshotMarker snapshot = SnapshotMarker.NONE;
  final LogTerms terms = new LogTerms();
  /** Entries after the snapshot, contiguous, mirroring {@link #terms}. */
  final ArrayList<Entry> entries = new ArrayList<>();
  private SegmentReader.Scan tail;

  /** Replays segments (non-empty, in seq order). */
  static WalReplay read(List<SegmentFile> segments) throws IOException {
    WalReplay replay = new WalReplay();
    for (int i = 0; i < segments.size(); i++) {
      replay.tail = SegmentReader.scan(segments.get(i).path(), i == segments.size() - 1, replay);
    }
    if (!replay.entries.isEmpty() && replay.entries.get(0).getIndex() != replay.snapshot.index() + 1) {
      throw new WalCorruptException(segments.get(0).path(), 0, "entries start at " + replay.entries.get(0).getIndex()
          + " but the last snapshot marker is at " + replay.snapshot.index() + " (missing segment?)");
    }
    return replay;
  }

  /** The scan of the last segment: where writing continues and whether its tail was torn. */
  SegmentReader.Scan tail() {
    return tail;
  }

  @Override
  public void record(Path file, long offset, RecordType type, ByteBuffer payload) throws WalCorruptException {
    try {
      switch (type) {
        case METADATA -> {
          metadata = new byte[payload.remaining()];
          payload.get(metadata);
        }
        case STATE -> hardState = HardState.parseFrom(payload);
        case ENTRY -> entry(file, offset, Entry.parseFrom(payload));
        case SNAPSHOT -> snapshot(file, offset, payload);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new WalCorruptException(file, offset, "undecodable " + type + " record: " + e.getMessage());
    }
  }

  private void entry(Path file, long offset, Entry e) throws WalCorruptException {
    if (!terms.append(e.getIndex(), e.getTerm())) {
      throw new WalCorruptException(file, offset, "entry index " + e.getIndex() + " leaves a gap after "
          + terms.lastIndex());
    }
    if (e.getIndex() <= snapshot.index()) {
      return;
    }
    if (!entries.isEmpty()) {
      long first = entries.get(0).getIndex();
      int keep = (int) Math.max(0, Math.min(entries.size(), e.getIndex() - first));
      entries.subList(keep, entries.size()).clear();
    }
    entries.add(e);
  }

  private void snapshot(Path file, long offset, ByteBuffer payload) throws WalCorruptException {
    if (payload.remaining() != 16) {
      throw new WalCorruptException(file, offset, "snapshot record of " + payload.remaining() + " bytes");
    }
    SnapshotMarker m = new SnapshotMarker(payload.getLong(), payload.getLong());
    if (m.index() < snapshot.index()) {
      throw new WalCorruptException(file, offset, "snapshot marker " + m.index() + " goes back from "
          + snapshot.index());
    }
    if (terms.snapshot(m.index(), m.term())) {
      entries.clear();
    } else {
      int drop = 0;
      while (drop < entries.size() && entries.get(drop).getIndex() <= m.index()) {
        drop++;
      }
      entries.subList(0, drop).clear();
    }
    snapshot = m;
  }
}
