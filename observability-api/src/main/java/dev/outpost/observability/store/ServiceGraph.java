package dev.outpost.observability.store;

import java.util.List;

/**
 * Which services called which in a time range ({@link TraceStore#serviceGraph}).
 *
 * @param links each pair of services once, the most calls first
 * @param partial whether spans were left out: the time or memory budget ran out, or the range
 *     reaches days stored before the graph was kept
 */
public record ServiceGraph(List<ServiceLink> links, boolean partial) {}
