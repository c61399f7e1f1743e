package dev.outpost.observability.store;

/** A span name seen for a service, with its kind. */
public record Operation(String name, String kind) {}
