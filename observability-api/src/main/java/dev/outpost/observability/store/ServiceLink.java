package dev.outpost.observability.store;

/** Calls of one service to another: spans of {@code child} whose parent span is of {@code parent}. */
public record ServiceLink(String parent, String child, long callCount) {}
