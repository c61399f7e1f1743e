package dev.outpost.observability.ingest;

import dev.outpost.observability.store.LogEntry;
import java.util.List;

/** CDI event fired once acknowledged log records are stored: what the live tail pushes. */
public record LogsIngested(List<LogEntry> records) {}
