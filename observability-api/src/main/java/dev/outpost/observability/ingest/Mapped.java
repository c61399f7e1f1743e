package dev.outpost.observability.ingest;

import java.util.List;

/**
 * The records accepted from one request, each at seq = its index in the request (shifted by the
 * journal's first seq once appended), and what was rejected.
 */
record Mapped<T>(List<T> accepted, int requestSize, long rejected, String rejectionMessage) {}
