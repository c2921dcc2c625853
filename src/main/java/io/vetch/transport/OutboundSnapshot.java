package io.vetch.transport;

import io.vetch.api.raftpb.Message;
import java.nio.file.Path;

/**
 * A MsgSnap to stream to message.to: the message (its snapshot's data is small metadata, e.g. the membership) and
 * the store image file that goes with it. The transport deletes image once sent or failed.
 */
public record OutboundSnapshot(Message message, Path image) {}
