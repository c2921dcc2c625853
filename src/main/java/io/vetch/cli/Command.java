package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import java.util.List;

/** What a parsed command line asks for. Immutable. */
public sealed interface Command {

  /** Run a member with this config; warnings (ignored env vars, unknown config keys) are for the log. */
  record Serve(ServerConfig config, List<String> warnings) implements Command {
    public Serve {
      warnings = List.copyOf(warnings);
    }
  }

  /** --help / -h: print {@link FlagTable#usage()} and exit 0. */
  record Help() implements Command {}

  /** --version: print {@link Main#versionText()} and exit 0. */
  record Version() implements Command {}
}
