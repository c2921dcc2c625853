package io.vetch.server.bus;

import java.util.List;

/**
 * The proposals one event loop made in one turn, handed to the raft verticle as one message: one task and at most
 * one wake-up of its event loop, however many clients' requests that turn read.
 */
public record Proposals(List<Proposal> list) {}
