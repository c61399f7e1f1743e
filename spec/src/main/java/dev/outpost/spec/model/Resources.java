package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Compute resources for each replica of an integration, as Kubernetes quantities ({@code 250m},
 * {@code 512Mi}). Any of them may be absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory"})
public record Resources(String requestsCpu, String requestsMemory, String limitsCpu, String limitsMemory) {}
