package dev.outpost.observability.query;

/** The body of every error answer of the query API. */
public record ApiError(String error, String message) {}
