package dev.outpost.observability.store;

/**
 * Who a record belongs to, resolved from the telemetry attributes in ARCHITECTURE.md (record
 * attributes first, then resource attributes) or bound by an integration's ingest token.
 * Only {@code project} is always present.
 */
public record Owner(String service, String project, String integration, String integrationVersion, String route) {}
