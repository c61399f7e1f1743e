package dev.outpost.observability.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of logs, newest first.
 *
 * @param next where the following page starts; empty when this page was the last
 * @param partial true when the query hit its time budget and the page may be incomplete
 */
public record LogPage(List<LogEntry> records, Optional<LogSearch.Position> next, boolean partial) {}
